# Sourced by bin/start and bin/test, or by hand (`source bin/jdk.sh`): points JAVA_HOME at a JDK >= 21 and puts
# its bin/ first on PATH, so that `java -jar server/target/cm-server.jar` works where the default java is older;
# points JDK17_HOME at a JDK 17 when there is one (see below).
# Order: an existing JAVA_HOME if it is recent enough, then the `javac` on PATH, then /usr/lib/jvm/*.
cm_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
cm_find_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")" \
                   /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    local major
    major=$(cm_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
if ! JAVA_HOME=$(cm_find_jdk); then
  echo "No JDK >= 21 found (looked at JAVA_HOME, PATH and /usr/lib/jvm). Install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+, and set JAVA_HOME." >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

# The client library is built for Java 17 and its tests run once more on a JDK 17 (client/pom.xml reads
# JDK17_HOME). Found in JDK17_HOME if set, else in /usr/lib/jvm/*; without one the build says so.
cm_find_jdk17() {
  local candidate
  for candidate in "${JDK17_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    if [ "$(cm_java_major "$candidate")" = "17" ]; then
      readlink -f "$candidate" # the path itself: the build checks it and links would not compare equal
      return 0
    fi
  done
  return 1
}
if JDK17_HOME=$(cm_find_jdk17); then
  export JDK17_HOME
else
  unset JDK17_HOME
fi
