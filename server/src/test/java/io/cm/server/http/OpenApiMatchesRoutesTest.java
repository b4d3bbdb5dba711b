package io.cm.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cm.core.policy.Catalog;
import io.cm.core.service.DecisionSettings;
import io.cm.core.service.RequestLimits;
import io.cm.core.service.SessionService;
import io.cm.core.service.SessionTimings;
import io.cm.core.session.SessionIds;
import io.cm.core.store.InMemorySessionStore;
import io.cm.server.admin.AdminRoutes;
import io.cm.server.admin.AdminTokens;
import io.cm.server.admin.AppliedConfig;
import io.cm.server.admin.ConfigAdministration;
import io.cm.server.admin.FileConfigRepository;
import io.cm.server.config.AdminSettings;
import io.cm.server.config.ConfigCheck;
import io.cm.server.config.HttpSettings;
import io.cm.server.config.InputLimits;
import io.cm.server.config.ManagedConfig;
import io.cm.server.config.ReportSettings;
import io.cm.server.report.ReportRoutes;
import io.cm.server.report.ReportWorker;
import io.cm.server.config.ThrottleSettings;
import io.cm.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document and the router cannot drift apart: every operation routed is documented
 * with the same methods, and every documented operation is routed.
 */
class OpenApiMatchesRoutesTest {

    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    private final Vertx vertx = Vertx.vertx();
    @TempDir
    Path dataDir;

    private ReportWorker reports;

    @AfterEach
    void close() {
        Future.await(vertx.close());
        reports.close();
    }

    @Test
    void everyRoutedOperationIsDocumentedAndEveryDocumentedOperationIsRouted() throws Exception {
        assertThat(documented()).as("operations in openapi.yaml vs routes of ApiRouter").isEqualTo(routed(router()));
    }

    /** Handlers are never called here; they only have to exist for the router to be built. */
    private Router router() {
        Clock clock = Clock.systemUTC();
        Catalog catalog = new Catalog(List.of(), List.of());
        SessionService service = new SessionService(() -> new DecisionSettings(catalog, RequestLimits.DEFAULTS),
                new InMemorySessionStore(), new SessionIds(new byte[32]), SessionTimings.DEFAULTS, clock, event -> {
                });
        ServerMetrics metrics = new ServerMetrics(service::activeSessions);
        SessionHandlers sessions = new SessionHandlers(service, () -> catalog, new RequestDecoder(InputLimits.DEFAULTS),
                metrics, clock);
        reports = ReportWorker.start(ReportSettings.DEFAULTS, SessionTimings.DEFAULTS, dataDir, clock);
        ConfigAdministration admin = new ConfigAdministration(new AppliedConfig(
                ((ConfigCheck.Valid) ManagedConfig.EMPTY.check()).settings(), RequestLimits.DEFAULTS, next -> {
                }), FileConfigRepository.open(dataDir), clock);
        AdminRoutes adminRoutes = new AdminRoutes(AdminTokens.load(new AdminSettings(List.of(), false,
                AdminSettings.Precedence.PERSISTED), dataDir), admin, service, new RequestDecoder(InputLimits.DEFAULTS),
                List.of(new ReportRoutes(reports, clock)::mount));
        return ApiRouter.create(vertx, sessions, new OperationsHandlers(metrics, List.of()), ctx -> {
        }, ctx -> {
        }, adminRoutes::mount, metrics, List.of("*"), clock, HttpSettings.DEFAULTS, true);
    }

    /**
     * Operations are the exact-path routes bound to methods ({@code :param} paths included, which
     * Vert.x reports as regex routes); the others are middleware (headers, CORS, bodies). The Swagger
     * UI's pages and assets are the documentation's viewer, not part of it; the web pages and the browser
     * client ({@link WebRoutes}) are files for browsers, not API operations.
     */
    private static Map<String, Set<String>> routed(Router router) {
        Map<String, Set<String>> operations = new TreeMap<>();
        for (Route route : router.getRoutes()) {
            String path = route.getPath();
            // Routes without methods report null rather than an empty set.
            if (path == null || !route.isExactPath() || route.methods() == null || route.methods().isEmpty()
                    || path.startsWith("/swagger-ui") || WebRoutes.FOLDERS.stream().anyMatch(path::startsWith)) {
                continue;
            }
            Set<String> methods = operations.computeIfAbsent(path.replaceAll(":([A-Za-z0-9_]+)", "{$1}"),
                    p -> new TreeSet<>());
            route.methods().forEach(m -> methods.add(m.name().toLowerCase(Locale.ROOT)));
        }
        return operations;
    }

    private static Map<String, Set<String>> documented() throws Exception {
        JsonNode doc;
        try (InputStream yaml = ApiDocsRoutes.class.getResourceAsStream("/openapi.yaml")) {
            doc = new YAMLMapper().readTree(yaml);
        }
        Map<String, Set<String>> operations = new TreeMap<>();
        doc.path("paths").fields().forEachRemaining(path -> {
            Set<String> methods = new TreeSet<>();
            path.getValue().fieldNames().forEachRemaining(name -> {
                if (HTTP_METHODS.contains(name)) methods.add(name);
            });
            operations.put(path.getKey(), methods);
        });
        return operations;
    }
}
