package org.ordertracking.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.ordertracking.servlet.AuthenticationException;
import org.ordertracking.servlet.Authorizer;
import org.ordertracking.servlet.Caller;
import org.ordertracking.servlet.JwtIssuer;
import org.ordertracking.servlet.Role;
import org.ordertracking.servlet.TokenRevocation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.validation.BeanPropertyBindingResult;
import org.springframework.validation.Errors;

/** {@code tracking.jwt.issuer}, {@code audience}, {@code revocation-cache-ttl}, {@code require-token-id} and the {@link TokenRevocation} bean. */
class TrackingJwtPropertiesTest {
    private static final String SECRET = TrackingAutoConfigurationTest.SECRET;

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TrackingJdbcAutoConfiguration.class,
                    TrackingRedisAutoConfiguration.class, TrackingAutoConfiguration.class,
                    TrackingServletAutoConfiguration.class))
            .withPropertyValues("tracking.jwt.secret=" + SECRET);

    @Test
    void issuerAndAudience_unset_areNeitherCheckedNorWritten() {
        web.run(context -> {
            String token = context.getBean(JwtIssuer.class).issue(Role.CUSTOMER, "o-1", Duration.ofHours(1));
            assertThat(claims(token)).doesNotContain("\"iss\"", "\"aud\"");
            String foreign = JwtIssuer.builder(bytes(SECRET)).issuer("https://elsewhere.example").audience("other")
                    .build().issue(Role.CUSTOMER, "o-1", Duration.ofHours(1));
            assertThat(context.getBean(Authorizer.class).authenticate(foreign).subject()).isEqualTo("o-1");
        });
    }

    @Test
    void issuerAndAudience_set_areRequiredOfIncomingTokens_andWrittenIntoTheStartersOwn() {
        web.withPropertyValues("tracking.jwt.issuer=https://auth.example.com", "tracking.jwt.audience=tracking")
                .run(context -> {
                    Authorizer authorizer = context.getBean(Authorizer.class);
                    String own = context.getBean(JwtIssuer.class).issue(Role.RESTAURANT, "r-7", Duration.ofHours(1));
                    assertThat(claims(own)).contains("\"iss\":\"https://auth.example.com\"", "\"aud\":\"tracking\"");
                    assertThat(authorizer.authenticate(own)).isEqualTo(new Caller(Role.RESTAURANT, "r-7"));

                    String noClaims = JwtIssuer.of(bytes(SECRET)).issue(Role.RESTAURANT, "r-7", Duration.ofHours(1));
                    assertThatThrownBy(() -> authorizer.authenticate(noClaims))
                            .isInstanceOf(AuthenticationException.class);
                    String wrongIssuer = JwtIssuer.builder(bytes(SECRET)).issuer("https://evil.example")
                            .audience("tracking").build().issue(Role.RESTAURANT, "r-7", Duration.ofHours(1));
                    assertThatThrownBy(() -> authorizer.authenticate(wrongIssuer))
                            .isInstanceOf(AuthenticationException.class);
                    String wrongAudience = JwtIssuer.builder(bytes(SECRET)).issuer("https://auth.example.com")
                            .audience("billing").build().issue(Role.RESTAURANT, "r-7", Duration.ofHours(1));
                    assertThatThrownBy(() -> authorizer.authenticate(wrongAudience))
                            .isInstanceOf(AuthenticationException.class);
                });
    }

    @Test
    void tokenRevocationBean_isAskedAboutEachJti_andARevokedTokenIsRefused() {
        web.withUserConfiguration(DenyList.class).withPropertyValues("tracking.jwt.revocation-cache-ttl=0")
                .run(context -> {
                    DenyList deny = context.getBean(DenyList.class);
                    Authorizer authorizer = context.getBean(Authorizer.class);
                    String token = context.getBean(JwtIssuer.class).issue(Role.DRIVER, "d-17", Duration.ofHours(1));

                    assertThat(authorizer.authenticate(token).subject()).isEqualTo("d-17");
                    assertThat(deny.asked).hasSize(1);
                    String jti = deny.asked.get(0);
                    assertThat(claims(token)).contains("\"jti\":\"" + jti + "\"");

                    deny.revoked.add(jti); // a cache of 0 asks again on the next request
                    assertThatThrownBy(() -> authorizer.authenticate(token)).isInstanceOf(AuthenticationException.class);
                    assertThat(deny.asked).hasSize(2);
                });
    }

    @Test
    void tokenRevocationAnswers_areRememberedForTheCacheTtl() {
        web.withUserConfiguration(DenyList.class).run(context -> { // default 30 s
            DenyList deny = context.getBean(DenyList.class);
            Authorizer authorizer = context.getBean(Authorizer.class);
            String token = context.getBean(JwtIssuer.class).issue(Role.DRIVER, "d-17", Duration.ofHours(1));
            authorizer.authenticate(token);
            authorizer.authenticate(token);
            authorizer.authenticate(token);
            assertThat(deny.asked).hasSize(1);
        });
    }

    @Test
    void requireTokenId_refusesATokenWithoutJti_whichIsOtherwiseAccepted() {
        String withoutJti = handMade("{\"sub\":\"c-42\",\"role\":\"customer\",\"exp\":"
                + Instant.now().plusSeconds(3600).getEpochSecond() + "}");
        web.run(context -> assertThat(context.getBean(Authorizer.class).authenticate(withoutJti).subject())
                .isEqualTo("c-42"));
        web.withPropertyValues("tracking.jwt.require-token-id=true").run(context -> {
            assertThatThrownBy(() -> context.getBean(Authorizer.class).authenticate(withoutJti))
                    .isInstanceOf(AuthenticationException.class);
            String minted = context.getBean(JwtIssuer.class).issue(Role.CUSTOMER, "c-42", Duration.ofHours(1));
            assertThat(context.getBean(Authorizer.class).authenticate(minted).subject()).isEqualTo("c-42");
        });
    }

    @Test
    void twoTokenRevocationBeans_withoutAPrimary_failStartup_andAPrimaryOneIsUsed() {
        web.withUserConfiguration(DenyList.class, SecondDenyList.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("TokenRevocation");
        });
        web.withUserConfiguration(DenyList.class, PrimaryDenyList.class).withPropertyValues(
                "tracking.jwt.revocation-cache-ttl=0").run(context -> {
                    assertThat(context).hasNotFailed();
                    String token = context.getBean(JwtIssuer.class).issue(Role.DRIVER, "d-1", Duration.ofHours(1));
                    assertThatThrownBy(() -> context.getBean(Authorizer.class).authenticate(token))
                            .isInstanceOf(AuthenticationException.class); // the primary revokes everything
                    assertThat(context.getBean(DenyList.class).asked).isEmpty();
                });
    }

    @Test
    void negativeRevocationCacheTtl_failsStartup_withThePropertyAndTheValue() {
        web.withPropertyValues("tracking.jwt.revocation-cache-ttl=-1s").run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof BindValidationException)) {
                failure = failure.getCause();
            }
            assertThat(failure).isNotNull();
            assertThat(failure.getMessage()).contains("jwt.revocationCacheTtl", "must be zero or positive, but was PT-1S");
        });
    }

    @Test
    void blankIssuerOrAudience_isRejected_ratherThanTakenForUnset() {
        TrackingProperties properties = new TrackingProperties();
        properties.getJwt().setIssuer(" ");
        properties.getJwt().setAudience("\t");
        Errors errors = new BeanPropertyBindingResult(properties, "tracking");
        properties.validate(properties, errors);
        assertThat(errors.getFieldError("jwt.issuer").getDefaultMessage()).contains("or unset, but was blank");
        assertThat(errors.getFieldError("jwt.audience").getDefaultMessage()).contains("or unset, but was blank");
    }

    @Test
    void defaults_areTheLibrarysOwn() {
        TrackingProperties.Jwt jwt = new TrackingProperties().getJwt();
        assertThat(jwt.getRevocationCacheTtl()).isEqualTo(org.ordertracking.servlet.JwtAuthorizer.DEFAULT_REVOCATION_CACHE_TTL);
        assertThat(jwt.isRequireTokenId()).isFalse();
        assertThat(jwt.getIssuer()).isNull();
        assertThat(jwt.getAudience()).isNull();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String claims(String token) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    /** An HS256 token with exactly {@code claims}, signed with the test secret. */
    private static String handMade(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(bytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")) + "."
                + b64.encodeToString(bytes(claims));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(bytes(SECRET), "HmacSHA256"));
            return input + "." + b64.encodeToString(mac.doFinal(bytes(input)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A deny-list that records what it was asked. */
    @Configuration(proxyBeanMethods = false)
    static class DenyList implements TokenRevocation {
        final List<String> asked = new CopyOnWriteArrayList<>();
        final Set<String> revoked = ConcurrentHashMap.newKeySet();

        @Override
        public boolean isRevoked(String tokenId, Caller caller) {
            asked.add(tokenId);
            return revoked.contains(tokenId);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondDenyList {
        @Bean
        TokenRevocation secondDenyList() {
            return (jti, caller) -> false;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PrimaryDenyList {
        @Bean
        @Primary
        TokenRevocation revokeEverything() {
            return (jti, caller) -> true;
        }
    }
}
