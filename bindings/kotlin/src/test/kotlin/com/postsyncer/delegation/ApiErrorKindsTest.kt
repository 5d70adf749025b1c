package com.postsyncer.delegation

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Every ApiException kind the emulator can produce, each caught by its own subclass, through
 * real requests; faults are per API key, so these tests never disturb each other.
 */
class ApiErrorKindsTest {
    private val callbackUrl = "https://app.example/cb"

    /** Calls createSessionBlocking once with a fresh key carrying [faults]; returns the key. */
    private fun attempt(faults: JSONObject, timeoutMs: Long = 10_000, maxRetries: Int = 0): String {
        val key = TestEmulator.apiKeyWithFaults(faults)
        Client(key, TestEmulator.apiBaseUrl, timeoutMs, maxRetries).use { client ->
            client.createSessionBlocking(Platform.TIK_TOK, callbackUrl)
        }
        return key
    }

    @Test
    fun aWrongApiKeyIsUnauthenticated() {
        val e = assertThrows<ApiException.Unauthenticated> {
            Client("ps_not_a_key", TestEmulator.apiBaseUrl).use { it.createSessionBlocking(Platform.TIK_TOK, callbackUrl) }
        }
        assertEquals("unauthenticated", e.kind)
        assertEquals(401.toUShort(), e.status)
        assertFalse(e.detail.contains("ps_not_a_key"), "the API key never appears in an error")
    }

    @Test
    fun status403IsForbidden() {
        val e = assertThrows<ApiException.Forbidden> { attempt(JSONObject().put("status", 403)) }
        assertEquals("forbidden", e.kind)
        assertEquals(403.toUShort(), e.status)
    }

    @Test
    fun status404IsNotFound() {
        val e = assertThrows<ApiException.NotFound> { attempt(JSONObject().put("status", 404)) }
        assertEquals("not_found", e.kind)
        assertEquals(404.toUShort(), e.status)
    }

    @Test
    fun status422IsValidationWithFieldErrors() {
        val e = assertThrows<ApiException.Validation> { attempt(JSONObject().put("status", 422)) }
        assertEquals("validation", e.kind)
        assertEquals(422.toUShort(), e.status)
        assertTrue(e.fieldErrors.isNotEmpty(), "422 carries the per-field messages")
        assertTrue(e.fieldErrors.values.all { it.isNotEmpty() })
    }

    @Test
    fun status429IsRateLimitedWithRetryAfter() {
        val faults = JSONObject().put("rate_limit_first", 5).put("retry_after", 7)
        val e = assertThrows<ApiException.RateLimited> { attempt(faults) }
        assertEquals("rate_limited", e.kind)
        assertEquals(429.toUShort(), e.status)
        assertEquals(7.0, e.retryAfterSeconds)
    }

    @Test
    fun status500IsServer() {
        val e = assertThrows<ApiException.Server> { attempt(JSONObject().put("status", 500)) }
        assertEquals("server", e.kind)
        assertEquals(500.toUShort(), e.status)
    }

    @Test
    fun aNonJsonAnswerIsInvalidResponse() {
        val e = assertThrows<ApiException.InvalidResponse> { attempt(JSONObject().put("malformed_json", true)) }
        assertEquals("invalid_response", e.kind)
    }

    @Test
    fun anAnswerSlowerThanTheTimeoutIsTimeout() {
        val e = assertThrows<ApiException.Timeout> {
            attempt(JSONObject().put("latency_ms", 3_000), timeoutMs = 200)
        }
        assertEquals("timeout", e.kind)
        assertNull(e.status)
    }

    @Test
    fun aRefusedConnectionIsTransport() {
        // Port 1 on loopback: nothing listens there, so the connection is refused.
        val e = assertThrows<ApiException.Transport> {
            Client(TestEmulator.apiKey, "http://127.0.0.1:1/api", 2_000, 0).use {
                it.createSessionBlocking(Platform.TIK_TOK, callbackUrl)
            }
        }
        assertEquals("transport", e.kind)
        assertNull(e.status)
    }

    @Test
    fun aRelativeCallbackUrlIsInvalidRequestAndSendsNothing() {
        val key = TestEmulator.apiKeyWithFaults()
        val e = assertThrows<ApiException.InvalidRequest> {
            Client(key, TestEmulator.apiBaseUrl).use { it.createSessionBlocking(Platform.TIK_TOK, "/cb") }
        }
        assertEquals("invalid_request", e.kind)
        assertEquals(0, TestEmulator.sessionRequests(key))
    }

    @Test
    fun unavailableAnswersAreRetriedUntilOneSucceeds() {
        val key = attempt(JSONObject().put("fail_first", 2).put("fail_status", 503), maxRetries = 2)
        assertEquals(3, TestEmulator.sessionRequests(key))
    }

    @Test
    fun rateLimitingIsRetriedAfterRetryAfter() {
        val key = attempt(JSONObject().put("rate_limit_first", 1).put("retry_after", 1), maxRetries = 1)
        assertEquals(2, TestEmulator.sessionRequests(key))
    }

    @Test
    fun anUnauthenticatedAnswerIsNotRetried() {
        val key = TestEmulator.apiKeyWithFaults(JSONObject().put("status", 401))
        assertThrows<ApiException.Unauthenticated> {
            Client(key, TestEmulator.apiBaseUrl, 10_000, 3).use { it.createSessionBlocking(Platform.TIK_TOK, callbackUrl) }
        }
        assertEquals(1, TestEmulator.sessionRequests(key))
    }
}
