package com.postsyncer.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Plain Java callers: constructors with and without defaults, try-with-resources, catch by subclass. */
class JavaCallerTest {
    private static final String CALLBACK_URL = "https://app.example/cb";

    @Test
    void createsASessionAndVerifiesItsCallback() throws Exception {
        try (Client client = new Client(TestEmulator.getApiKey(), TestEmulator.getApiBaseUrl(), 10_000L, 2);
                Verifier verifier = new Verifier(List.of(TestEmulator.getSigningSecret()), 0L, 3600L)) {
            Session session = client.createSessionBlocking(Platform.TIKTOK, CALLBACK_URL, null);
            String callback = TestEmulator.callbackAfter(session.getAuthorizeUrl(), "approve");

            Proof proof = verifier.verify(callback, session.getState(), session.getPlatform(), null);

            assertEquals(Platform.TIKTOK, proof.getPlatform());
            assertEquals("_000abc", proof.getPlatformId());
            assertEquals("jane", proof.getHandle());
        }
    }

    @Test
    void catchesABadSignatureByItsSubclass() throws Exception {
        Session session;
        try (Client client = new Client(TestEmulator.getApiKey(), TestEmulator.getApiBaseUrl(), 10_000L, 2)) {
            session = client.createSessionBlocking(Platform.THREADS, CALLBACK_URL, null);
        }
        String callback = TestEmulator.callbackAfter(session.getAuthorizeUrl(), "approve");
        try (Verifier verifier = new Verifier(List.of("not_the_signing_secret"), 0L, 3600L)) {
            verifier.verify(callback, session.getState(), null, null);
            throw new AssertionError("a proof signed with another secret was accepted");
        } catch (VerifyException.BadSignature e) {
            assertEquals("bad_signature", e.getKind());
            assertEquals(null, e.getParameter());
        }
    }

    @Test
    void buildsAVerifierWithTheDefaultLeewayAndLifetime() throws Exception {
        String secret = TestEmulator.getSigningSecret();
        Proof signed = new Proof(Platform.LINKEDIN, "li-42", "jane", "st-java", 1_717_000_000L);
        String callback = PostSyncerDelegation.signProof(secret, signed);
        try (Verifier verifier = new Verifier(List.of(secret));
                Verifier lenient = new Verifier(List.of(secret), 120L)) {
            assertEquals(signed, verifier.verify(callback, "st-java", Platform.LINKEDIN, 1_716_999_940L));
            assertEquals(signed, lenient.verify(callback, "st-java", null, 1_717_000_100L));
            VerifyException.Expired e = assertThrows(VerifyException.Expired.class,
                    () -> verifier.verify(callback, "st-java", null, 1_717_000_100L));
            assertEquals("expired", e.getKind());
        }
    }

    @Test
    void catchesAnApiErrorByItsSubclass() {
        ApiException.Unauthenticated e = assertThrows(ApiException.Unauthenticated.class, () -> {
            try (Client client = new Client("ps_not_a_key", TestEmulator.getApiBaseUrl(), 10_000L, 0)) {
                client.createSessionBlocking(Platform.TIKTOK, CALLBACK_URL, null);
            }
        });
        assertEquals("unauthenticated", e.getKind());
    }

    @Test
    void readsEveryErrorFromItsBaseClass() throws Exception {
        try (Client client = new Client("ps_not_a_key", TestEmulator.getApiBaseUrl(), 10_000L, 0)) {
            client.createSessionBlocking(Platform.TIKTOK, CALLBACK_URL, null);
            throw new AssertionError("an unknown API key was accepted");
        } catch (ApiException e) {
            assertEquals("unauthenticated", e.kind());
            assertEquals(Integer.valueOf(401), e.status());
            assertEquals(null, e.retryAfterSeconds());
        }
        try (Verifier verifier = new Verifier(List.of("s"))) {
            verifier.verify("platform=tiktok&platform_id=x&handle=&state=s&expires=1&sig=zz", "s");
            throw new AssertionError("a malformed signature was accepted");
        } catch (VerifyException e) {
            assertEquals("malformed_parameter", e.kind());
            assertEquals("sig", e.parameter());
            assertEquals(null, e.code());
        }
        ConfigException refused = assertThrows(ConfigException.class, () -> new Verifier(List.of()));
        assertEquals("no_secret", refused.kind());
    }

    @Test
    void reachesTheFreeFunctionsThroughAJavaName() throws Exception {
        assertEquals(43, PostSyncerDelegation.generateState().length());
        assertEquals(Platform.TWITTER, PostSyncerDelegation.platformFromWireName("twitter"));
        assertEquals("twitter", Platform.TWITTER.wireName());
        assertEquals(TestEmulator.getCrateVersion(), PostSyncerDelegation.version());
    }
}
