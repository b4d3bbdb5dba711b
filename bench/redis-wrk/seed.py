"""Starts N sessions of demo-app, one per subject, and prints each session's heartbeat path."""
import http.client
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
connection = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": "Basic ZGVtby1hcHA6", "Content-Length": "0"}
for n in range(count):
    subject = f"hb-{n}"
    connection.request("POST", f"/v2/sessions/idp/{subject}", headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != 202:
        sys.exit(f"init {subject}: {response.status}")
    print(f"/v2/sessions/idp/{subject}/{response.getheader('Location')}")
