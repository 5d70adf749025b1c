package com.postsyncer.delegation

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.concurrent.Callable
import java.util.concurrent.Executors

/** Building, sharing and closing objects; configuration mistakes; the free functions. */
class VerifierLifecycleTest {
    private val secret = "ps_test_signing_secret_0001"
    private val proof = Proof(Platform.THREADS, "1789", "jane", "st-4f1c9a", 1_717_000_000L)
    private val now = 1_716_999_940L

    @Test
    fun aSignedProofVerifiesBackToTheSameProof() {
        Verifier(listOf(secret)).use { verifier ->
            assertEquals(proof, verifier.verify(signProof(secret, proof), proof.state, Platform.THREADS, now))
        }
    }

    @Test
    fun oneVerifierServesEightThreadsAtOnce() {
        val callback = signProof(secret, proof)
        val pool = Executors.newFixedThreadPool(8)
        Verifier(listOf(secret)).use { verifier ->
            val results = pool.invokeAll(List(8) { Callable { List(200) { verifier.verify(callback, proof.state, null, now) } } })
            pool.shutdown()
            assertEquals(List(8 * 200) { proof }, results.flatMap { it.get() })
        }
    }

    @Test
    fun aClosedVerifierRefusesToBeUsed() {
        val verifier = Verifier(listOf(secret))
        verifier.close()
        verifier.close() // closing twice is harmless
        assertThrows<IllegalStateException> { verifier.verify(signProof(secret, proof), proof.state, null, now) }
    }

    @Test
    fun closingWhileThreadsVerifyLetsRunningCallsFinishAndRefusesLaterOnes() {
        val callback = signProof(secret, proof)
        val pool = Executors.newFixedThreadPool(4)
        val verifier = Verifier(listOf(secret))
        // Thread 0 closes the verifier half-way; the others race it. No call may crash or
        // return anything but the proof or IllegalStateException.
        val outcomes = pool.invokeAll(List(4) { thread ->
            Callable {
                List(2_000) { i ->
                    if (thread == 0 && i == 1_000) verifier.close()
                    try {
                        verifier.verify(callback, proof.state, null, now)
                    } catch (e: IllegalStateException) {
                        e
                    }
                }
            }
        }).map { it.get() }
        pool.shutdown()
        assertEquals(List(1_000) { proof }, outcomes[0].take(1_000))
        assertTrue(outcomes[0].drop(1_000).all { it is IllegalStateException })
        assertTrue(outcomes.flatten().all { it == proof || it is IllegalStateException })
    }

    @Test
    fun configurationMistakesAreConfigExceptionsByKind() {
        assertEquals("no_secret", assertThrows<ConfigException.NoSecret> { Verifier(emptyList()) }.kind)
        val empty = assertThrows<ConfigException.EmptySecret> { Verifier(listOf(secret, "")) }
        assertEquals("empty_secret", empty.kind)
        assertEquals("invalid_argument", assertThrows<ConfigException.InvalidArgument> { Verifier(listOf(secret), -1) }.kind)
        assertEquals("empty_api_key", assertThrows<ConfigException.EmptyApiKey> { Client("") }.kind)
        assertEquals("empty_secret", assertThrows<ConfigException.EmptySecret> { signProof("", proof) }.kind)
    }

    @Test
    fun aSecretNeverAppearsInAnErrorMessage() {
        Verifier(listOf(secret)).use { verifier ->
            val forged = signProof("another_secret", proof)
            val e = assertThrows<VerifyException.BadSignature> { verifier.verify(forged, proof.state, null, now) }
            assertEquals("bad_signature", e.kind)
            assertFalse(e.message.orEmpty().contains(secret))
            assertFalse(e.message.orEmpty().contains("another_secret"))
        }
    }

    @Test
    fun wireNamesRoundTripForEveryPlatform() {
        for (platform in Platform.entries) {
            assertEquals(platform, platformFromWireName(platform.wireName()))
        }
        assertEquals("twitter", Platform.TWITTER.wireName())
        assertNull(platformFromWireName("bluesky"))
    }

    @Test
    fun generatedStatesAreUrlSafeAndDistinct() {
        val first = generateState()
        assertEquals(first, first.filter { it.isLetterOrDigit() || it == '-' || it == '_' })
        assertNotEquals(first, generateState())
    }
}
