package com.postsyncer.delegation

import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.CsvSource

/** The whole delegation flow against the emulator: create a session, consent, verify the callback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionFlowTest {
    private val client = Client(TestEmulator.apiKey, TestEmulator.apiBaseUrl)
    private val verifier = Verifier(listOf(TestEmulator.signingSecret))

    @AfterAll
    fun close() {
        client.close()
        verifier.close()
    }

    @Test
    fun suspendCreateSessionThenApprovalGivesAVerifiedProof() = runBlocking {
        val session = client.createSession(Platform.TIKTOK, "https://app.example/callback")

        assertTrue(session.authorizeUrl.startsWith("${TestEmulator.url}/oauth/delegate?request=psd_"), session.authorizeUrl)
        assertEquals(900L, session.expiresIn)
        assertTrue(session.expiresAt > System.currentTimeMillis() / 1000, "expiresAt is an absolute time ahead")
        assertTrue(session.state.length >= 22, "a generated state carries at least 128 bits")
        val callback = TestEmulator.callbackAfter(session.authorizeUrl, "approve")
        assertTrue(callback.startsWith("https://app.example/callback?"), callback)

        val proof = verifier.verify(callback, session.state, session.platform)
        assertEquals(Platform.TIKTOK, proof.platform)
        assertEquals("_000abc", proof.platformId)
        assertEquals("jane", proof.handle)
        assertEquals(session.state, proof.state)
    }

    @Test
    fun blockingCreateSessionKeepsTheGivenStateAndCallbackQuery() {
        val state = generateState()
        val session = client.createSessionBlocking(Platform.INSTAGRAM, "https://app.example/cb?tenant=7", state)

        assertEquals(state, session.state)
        assertEquals(Platform.INSTAGRAM, session.platform)
        assertEquals("https://app.example/cb?tenant=7", session.callbackUrl)
        val callback = TestEmulator.callbackAfter(session.authorizeUrl, "approve")
        assertTrue(callback.startsWith("https://app.example/cb?tenant=7&"), callback)

        val proof = verifier.verify(callback, state, Platform.INSTAGRAM)
        assertEquals(Platform.INSTAGRAM, proof.platform)
        assertEquals(state, proof.state)
    }

    @Test
    fun aDeniedConsentIsCaughtAsAuthorizationDenied() {
        val session = client.createSessionBlocking(Platform.YOUTUBE, "https://app.example/cb")
        val callback = TestEmulator.callbackAfter(session.authorizeUrl, "deny")

        val denied = assertThrows<VerifyException.AuthorizationDenied> { verifier.verify(callback, session.state) }
        assertEquals("authorization_denied", denied.kind)
        assertEquals("access_denied", denied.code)
    }

    @Test
    fun anAuthorizeUrlIsSingleUse() {
        val session = client.createSessionBlocking(Platform.TWITTER, "https://app.example/cb")
        TestEmulator.callbackAfter(session.authorizeUrl, "approve")

        assertEquals(410, TestEmulator.decide(session.authorizeUrl, "approve").statusCode())
    }

    @Test
    fun aProofForAnotherPlatformIsCaughtAsPlatformMismatch() {
        val session = client.createSessionBlocking(Platform.LINKEDIN, "https://app.example/cb")
        val callback = TestEmulator.callbackAfter(session.authorizeUrl, "approve")

        val mismatch = assertThrows<VerifyException.PlatformMismatch> {
            verifier.verify(callback, session.state, Platform.FACEBOOK)
        }
        assertEquals("platform_mismatch", mismatch.kind)
    }

    @ParameterizedTest(name = "{0} is caught as {1}")
    @CsvSource(
        "bad_signature, bad_signature",
        "expired, expired",
        "wrong_state, state_mismatch",
        "duplicate_parameter, duplicate_parameter",
    )
    fun aCorruptedCallbackIsRejectedWithItsKind(proofFault: String, expectedKind: String) {
        val key = TestEmulator.apiKeyWithFaults(JSONObject().put("proof_fault", proofFault))
        Client(key, TestEmulator.apiBaseUrl).use { faultyClient ->
            val session = faultyClient.createSessionBlocking(Platform.PINTEREST, "https://app.example/cb")
            val callback = TestEmulator.callbackAfter(session.authorizeUrl, "approve")

            val rejected = assertThrows<VerifyException> { verifier.verify(callback, session.state, Platform.PINTEREST) }
            assertEquals(expectedKind, rejected.fields().kind)
        }
    }
}
