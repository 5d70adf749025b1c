package com.postsyncer.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The flow from plain Java, over an application store written in Java. */
class JavaFlowTest {
    private static final String CALLBACK_URL = "https://app.example/cb";

    /**
     * ConcurrentHashMap.remove is the atomic take; records expire with their TTL. Java
     * implementations throw unchecked exceptions (the generated interface declares no checked
     * one); every exception is store_unavailable.
     */
    static final class JavaMapStore implements StateStore {
        private record Held(String record, long expiresAtMillis) {}

        private final ConcurrentHashMap<String, Held> records = new ConcurrentHashMap<>();

        @Override
        public void put(String key, String record, long ttlSeconds) {
            Held held = new Held(record, System.currentTimeMillis() + ttlSeconds * 1000);
            if (records.putIfAbsent(key, held) != null) {
                throw new IllegalStateException("key in use");
            }
        }

        @Override
        public String take(String key) {
            Held held = records.remove(key);
            return held == null || held.expiresAtMillis() <= System.currentTimeMillis() ? null : held.record();
        }
    }

    @Test
    void beginsAndCompletesOverAJavaStore() throws Exception {
        try (Client client = new Client(TestEmulator.getApiKey(), TestEmulator.getApiBaseUrl(), 10_000L, 2);
                Flow flow = Flow.Companion.withStore(client, List.of(TestEmulator.getSigningSecret()), new JavaMapStore(), 3600L)) {
            Begun begun = flow.beginBlocking(Platform.LINKEDIN, CALLBACK_URL, "user-7", "/settings");
            String callback = TestEmulator.callbackAfter(begun.getAuthorizeUrl(), "approve");

            Completed completed = flow.completeBlocking(callback, "user-7");
            assertEquals(Platform.LINKEDIN, completed.getProof().getPlatform());
            assertEquals("/settings", completed.getMetadata());

            CompleteException.StateNotFound replay = assertThrows(CompleteException.StateNotFound.class,
                    () -> flow.completeBlocking(callback, "user-7"));
            assertEquals("state_not_found", replay.getKind());
        }
    }

    @Test
    void readsFlowErrorsFromTheirBaseClass() throws Exception {
        try (Client client = new Client(TestEmulator.getApiKey(), TestEmulator.getApiBaseUrl(), 10_000L, 2);
                Flow flow = new Flow(client, List.of(TestEmulator.getSigningSecret()), 100_000L, 3600L)) {
            Begun begun = flow.beginBlocking(Platform.TIKTOK, CALLBACK_URL, "browser-a", null);
            String callback = TestEmulator.callbackAfter(begun.getAuthorizeUrl(), "approve");
            try {
                flow.completeBlocking(callback, "browser-b");
                throw new AssertionError("a callback was completed under another subject");
            } catch (CompleteException e) {
                assertEquals("subject_mismatch", e.kind());
                assertEquals(null, e.parameter());
            }
            try {
                flow.beginBlocking(Platform.TIKTOK, CALLBACK_URL, "", null);
                throw new AssertionError("an empty subject was accepted");
            } catch (BeginException e) {
                assertEquals("invalid_argument", e.kind());
                assertEquals(null, e.status());
            }
        }
    }
}
