package org.ordertracking.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.ordertracking.servlet.AuthenticationException;
import org.ordertracking.servlet.Caller;
import org.ordertracking.servlet.JwtAuthorizer;
import org.ordertracking.servlet.Role;

/** The load harness's tokens verify with the authorizer the bench server builds from the same secret. */
class HarnessTokensTest {
    private final JwtAuthorizer server = JwtAuthorizer.of(LoadHarness.DEFAULT_SECRET.getBytes(StandardCharsets.UTF_8));

    @Test
    void issuer_defaultSecret_mintsTokensTheBenchServerAccepts() throws Exception {
        for (Role role : Role.values()) {
            String token = LoadHarness.issuer(LoadHarness.DEFAULT_SECRET).issue(role, "bench-1-7", Duration.ofHours(1));
            assertEquals(new Caller(role, "bench-1-7"), server.authenticate(token));
        }
    }

    @Test
    void issuer_otherSecret_mintsTokensTheBenchServerRefuses() {
        String token = LoadHarness.issuer("another-secret-another-secret-another!").issue(Role.OPERATOR, "bench",
                Duration.ofHours(1));
        assertThrows(AuthenticationException.class, () -> server.authenticate(token));
    }
}
