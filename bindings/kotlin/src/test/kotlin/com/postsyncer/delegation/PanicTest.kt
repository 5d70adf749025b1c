package com.postsyncer.delegation

import com.sun.jna.NativeLibrary
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.concurrent.Callable
import java.util.concurrent.Executors

/**
 * A panic inside the Rust core arrives as an exception (or the C API's panic result), and the
 * JVM and the library live on. `testPanic` and `psd_test_panic` exist only in builds with the
 * core's test-panic feature, which scripts/test-jvm's library has; a release jar has neither.
 */
class PanicTest {
    private val secret = "ps_test_signing_secret_0001"
    private val proof = Proof(Platform.TIKTOK, "_000abc", "jane", "a1b2c3d4", 1_717_000_000L)
    private val now = 1_716_999_940L

    private fun verifyStillWorks() {
        Verifier(listOf(secret)).use { verifier ->
            assertEquals(proof, verifier.verify(signProof(secret, proof), proof.state, Platform.TIKTOK, now))
        }
    }

    @Test
    fun aPanicThroughUniffiIsAnInternalException() {
        val thrown = assertThrows<InternalException> { testPanic() }
        assertTrue(thrown.message!!.contains("deliberate panic"), thrown.message)
        assertThrows<InternalException> { testPanic() } // again: nothing was left poisoned
        verifyStillWorks()
    }

    @Test
    fun aPanicThroughTheCAbiIsThePanicResult() {
        val psdTestPanic = NativeLibrary.getInstance("postsyncer_delegation").getFunction("psd_test_panic")
        val panicResult = 5 // PSD_RESULT_PANIC
        assertEquals(panicResult, psdTestPanic.invokeInt(arrayOf()))
        verifyStillWorks()
    }

    @Test
    fun panicsOnEightThreadsAtOnceAreEachAnException() {
        val pool = Executors.newFixedThreadPool(8)
        try {
            val outcomes = pool.invokeAll(
                List(8) {
                    Callable {
                        try {
                            testPanic()
                            "returned"
                        } catch (e: InternalException) {
                            "internal_exception"
                        }
                    }
                },
            ).map { it.get() }
            assertEquals(List(8) { "internal_exception" }, outcomes)
        } finally {
            pool.shutdown()
        }
        verifyStillWorks()
    }
}
