package com.postsyncer.delegation

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
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
            client.createSessionBlocking(Platform.TIKTOK, callbackUrl)
        }
        return key
    }

    private class Fault(
        val faults: JSONObject,
        val type: Class<out ApiException>,
        val kind: String,
        val status: Int?,
    )

    @TestFactory
    fun eachFaultIsCaughtAsItsOwnKind(): List<DynamicTest> = listOf(
        Fault(JSONObject().put("status", 401), ApiException.Unauthenticated::class.java, "unauthenticated", 401),
        Fault(JSONObject().put("status", 403), ApiException.Forbidden::class.java, "forbidden", 403),
        Fault(JSONObject().put("status", 404), ApiException.NotFound::class.java, "not_found", 404),
        Fault(JSONObject().put("status", 422), ApiException.Validation::class.java, "validation", 422),
        Fault(JSONObject().put("rate_limit_first", 5), ApiException.RateLimited::class.java, "rate_limited", 429),
        Fault(JSONObject().put("status", 500), ApiException.Server::class.java, "server", 500),
        Fault(JSONObject().put("malformed_json", true), ApiException.InvalidResponse::class.java, "invalid_response", 200),
        Fault(JSONObject().put("latency_ms", 3_000), ApiException.Timeout::class.java, "timeout", null),
    ).map { fault ->
        DynamicTest.dynamicTest("${fault.faults} is ${fault.kind}") {
            val e = assertThrows(fault.type) { attempt(fault.faults, timeoutMs = 1_000) }
            assertEquals(ApiErrorFields(fault.kind, fault.status, e.fields().detail), e.fields())
            assertFalse(e.fields().detail.isEmpty(), "an error needs a message a person can act on")
        }
    }

    @Test
    fun aWrongApiKeyIsUnauthenticatedAndNeverEchoed() {
        val e = assertThrows<ApiException.Unauthenticated> {
            Client("ps_not_a_key", TestEmulator.apiBaseUrl).use { it.createSessionBlocking(Platform.TIKTOK, callbackUrl) }
        }
        assertFalse(e.message.orEmpty().contains("ps_not_a_key"), "the API key never appears in an error")
    }

    @Test
    fun validationCarriesThePerFieldMessages() {
        val e = assertThrows<ApiException.Validation> { attempt(JSONObject().put("status", 422)) }
        assertTrue(e.fieldErrors.isNotEmpty(), "422 carries the per-field messages")
        assertTrue(e.fieldErrors.values.all { it.isNotEmpty() })
    }

    @Test
    fun rateLimitingCarriesRetryAfter() {
        val faults = JSONObject().put("rate_limit_first", 5).put("retry_after", 7)
        assertEquals(7.0, assertThrows<ApiException.RateLimited> { attempt(faults) }.retryAfterSeconds)
    }

    @Test
    fun aRefusedConnectionIsTransport() {
        // Port 1 on loopback: nothing listens there, so the connection is refused.
        val e = assertThrows<ApiException.Transport> {
            Client(TestEmulator.apiKey, "http://127.0.0.1:1/api", 2_000, 0).use {
                it.createSessionBlocking(Platform.TIKTOK, callbackUrl)
            }
        }
        assertEquals(ApiErrorFields("transport", null, e.detail), e.fields())
    }

    @Test
    fun aRelativeCallbackUrlIsInvalidRequestAndSendsNothing() {
        val key = TestEmulator.apiKeyWithFaults()
        val e = assertThrows<ApiException.InvalidRequest> {
            Client(key, TestEmulator.apiBaseUrl).use { it.createSessionBlocking(Platform.TIKTOK, "/cb") }
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
            Client(key, TestEmulator.apiBaseUrl, 10_000, 3).use { it.createSessionBlocking(Platform.TIKTOK, callbackUrl) }
        }
        assertEquals(1, TestEmulator.sessionRequests(key))
    }
}
