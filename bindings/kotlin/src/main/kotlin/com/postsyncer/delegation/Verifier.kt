package com.postsyncer.delegation

import com.sun.jna.Library
import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.Pointer
import java.lang.ref.Cleaner
import java.lang.ref.Reference
import java.lang.reflect.Constructor
import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Proxy
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong

/**
 * Verifies PostSyncer callbacks against one or more signing secrets. Build it once at
 * start-up and share it between threads; key material is zeroized when it is freed.
 *
 * A verifier holds native memory: close it (or use `use { }` / try-with-resources) when done.
 */
open class Verifier @JvmOverloads constructor(
    `secrets`: List<kotlin.String>,
    `leewaySeconds`: kotlin.Long = 0L,
    `maxLifetimeSeconds`: kotlin.Long? = 3600L,
) : GeneratedVerifier(secrets, leewaySeconds, maxLifetimeSeconds) {
    // Why this class: UniFFI's generated verify allocates JNA Structures and Memory on every
    // call, which the JNA cleaner cannot keep up with (BENCHMARKS.md, JVM). This one calls the
    // C ABI of the same library through JNA direct mapping with primitives and arrays only.
    // The generated constructor above validated the configuration (ConfigException); every
    // check of a callback happens in the Rust core, here only bytes cross the boundary.

    private val handle: Long = CAbi.newVerifier(secrets, leewaySeconds, maxLifetimeSeconds)

    // Frees the C verifier exactly once: on close() after the last running verify, or when
    // the object is unreachable and was never closed. Must not capture `this`.
    private val cVerifierCleanable: Cleaner.Cleanable = CAbi.CLEANER.register(this, FreeCVerifier(handle))
    private val closed = AtomicBoolean(false)
    // 1 for the open verifier plus 1 per running verify; the C verifier is freed at 0.
    private val calls = AtomicLong(1)

    private class FreeCVerifier(private val handle: Long) : Runnable {
        override fun run() = CAbi.psd_verifier_free(handle)
    }

    override fun destroy() {
        super.destroy()
        if (closed.compareAndSet(false, true) && calls.decrementAndGet() == 0L) {
            cVerifierCleanable.clean()
        }
    }

    /**
     * Verifies a callback (the whole URL, or its query with or without `?`) and returns the
     * proof. `now` is the current time in unix seconds; `null` reads the system clock.
     */
    @Throws(VerifyException::class)
    override fun `verify`(
        `callback`: kotlin.String,
        `expectedState`: kotlin.String,
        `expectedPlatform`: Platform?,
        `now`: kotlin.Long?,
    ): Proof {
        do {
            val running = calls.get()
            // `closed` too: after close() other threads' running calls keep the count above 0.
            check(running != 0L && !closed.get()) { "${javaClass.simpleName} object has already been destroyed" }
            check(running != Long.MAX_VALUE) { "${javaClass.simpleName} call counter would overflow" }
        } while (!calls.compareAndSet(running, running + 1L))
        try {
            return CAbi.verify(handle, callback, expectedState, expectedPlatform, now)
        } finally {
            if (calls.decrementAndGet() == 0L) {
                cVerifierCleanable.clean()
            }
            Reference.reachabilityFence(this)
        }
    }
}

/**
 * The part of the C API (include/postsyncer_delegation.h) that [Verifier] uses, bound by JNA
 * direct mapping to the library the generated code already loaded.
 */
private object CAbi {
    private const val OK = 0
    private const val NO_PLATFORM = 0
    private const val NO_LIFETIME_BOUND = -1L

    val CLEANER: Cleaner = Cleaner.create()

    init {
        // The NativeLibrary behind UniffiLib: the same loaded file, not a second extraction.
        val uniffi = Proxy.getInvocationHandler(UniffiLib.INSTANCE) as Library.Handler
        Native.register(CAbi::class.java, uniffi.nativeLibrary)
    }

    // size_t is 64 bits on the platforms the jar supports; pointers travel as long.
    @JvmStatic external fun psd_verifier_new(
        secrets: LongArray, secretCount: Long, leewaySeconds: Long, maxLifetimeSeconds: Long,
        verifierOut: LongArray, errorMessageOut: LongArray?,
    ): Int

    @JvmStatic external fun psd_verifier_verify(
        verifier: Long, callback: ByteArray, callbackLen: Long, expectedState: ByteArray, expectedStateLen: Long,
        expectedPlatform: Int, now: LongArray?, proofOut: LongArray, errorOut: LongArray,
    ): Int

    @JvmStatic external fun psd_verifier_free(verifier: Long)
    @JvmStatic external fun psd_proof_view(proof: Long, fieldsOut: LongArray): Int
    @JvmStatic external fun psd_proof_free(proof: Long)
    @JvmStatic external fun psd_verify_error_kind(error: Long, kindOut: LongArray): Int
    @JvmStatic external fun psd_verify_error_parameter(error: Long, parameterOut: LongArray): Int
    @JvmStatic external fun psd_verify_error_code(error: Long, codeOut: LongArray): Int
    @JvmStatic external fun psd_verify_error_message(error: Long, messageOut: LongArray): Int
    @JvmStatic external fun psd_verify_error_free(error: Long)
    @JvmStatic external fun psd_platform_from_wire_name(name: ByteArray, nameLen: Long, platformOut: IntArray): Int

    /** Each Platform's C code, found by its wire name. */
    private val platformCodes: Map<Platform, Int> = Platform.values().associateWith { platform ->
        val name = platformWireName(platform).toByteArray()
        val code = IntArray(1)
        if (psd_platform_from_wire_name(name, name.size.toLong(), code) != OK) {
            throw InternalException("the native library does not know the platform ${platformWireName(platform)}")
        }
        code[0]
    }
    private val platforms: Map<Int, Platform> = platformCodes.entries.associate { (platform, code) -> code to platform }

    /** "bad_signature" -> VerifyException.BadSignature's constructor, from the generated classes. */
    private val errorConstructors: Map<String, Constructor<*>> =
        VerifyException::class.java.declaredClasses
            .filter { VerifyException::class.java.isAssignableFrom(it) }
            .associate { errorClass ->
                val kind = errorClass.simpleName.replace(Regex("(?<=.)([A-Z])"), "_$1").lowercase()
                kind to errorClass.getConstructor(
                    String::class.java, String::class.java, String::class.java, String::class.java,
                )
            }

    fun newVerifier(secrets: List<String>, leewaySeconds: Long, maxLifetimeSeconds: Long?): Long {
        val copies = secrets.map { secret ->
            val bytes = secret.toByteArray()
            Memory(maxOf(bytes.size, 1).toLong()).also { it.write(0, bytes, 0, bytes.size) } to bytes.size
        }
        try {
            val views = LongArray(2 * copies.size)
            copies.forEachIndexed { i, (memory, size) ->
                views[2 * i] = Pointer.nativeValue(memory)
                views[2 * i + 1] = size.toLong()
            }
            val verifier = LongArray(1)
            val result = psd_verifier_new(
                views, copies.size.toLong(), leewaySeconds, maxLifetimeSeconds ?: NO_LIFETIME_BOUND, verifier, null,
            )
            if (result != OK) {
                throw InternalException("the C verifier refused a configuration UniFFI accepted (code $result)")
            }
            return verifier[0]
        } finally {
            // The core copied the secrets; wipe these copies rather than leave them to the GC.
            copies.forEach { (memory, _) -> memory.clear(); memory.close() }
        }
    }

    fun verify(verifier: Long, callback: String, expectedState: String, expectedPlatform: Platform?, now: Long?): Proof {
        val callbackBytes = callback.toByteArray()
        val stateBytes = expectedState.toByteArray()
        val platformCode = if (expectedPlatform == null) NO_PLATFORM else platformCodes.getValue(expectedPlatform)
        val proof = LongArray(1)
        val error = LongArray(1)
        val result = psd_verifier_verify(
            verifier, callbackBytes, callbackBytes.size.toLong(), stateBytes, stateBytes.size.toLong(),
            platformCode, now?.let { longArrayOf(it) }, proof, error,
        )
        if (result != OK) {
            if (error[0] == 0L) {
                throw InternalException("psd_verifier_verify failed with code $result")
            }
            throw verifyException(error[0])
        }
        try {
            // psd_proof_fields: platform (u32, padded to 8 bytes), three psd_str {data, len}, expires.
            val fields = LongArray(8)
            if (psd_proof_view(proof[0], fields) != OK) {
                throw InternalException("could not read the verified proof")
            }
            return Proof(
                platforms[fields[0].toInt()] ?: throw InternalException("unknown platform code ${fields[0].toInt()}"),
                text(fields[1], fields[2]),
                text(fields[3], fields[4]),
                text(fields[5], fields[6]),
                fields[7],
            )
        } finally {
            psd_proof_free(proof[0])
        }
    }

    /** The VerifyException subclass for a rejected callback, with the core's fields; frees the error. */
    private fun verifyException(error: Long): Exception {
        try {
            val kind = LongArray(2)
            val parameter = LongArray(2)
            val code = LongArray(2)
            val detail = LongArray(2)
            if (psd_verify_error_kind(error, kind) != OK || psd_verify_error_parameter(error, parameter) != OK ||
                psd_verify_error_code(error, code) != OK || psd_verify_error_message(error, detail) != OK
            ) {
                return InternalException("could not read a verification error")
            }
            val kindText = text(kind[0], kind[1])
            val constructor = errorConstructors[kindText]
                ?: return InternalException("the native library rejected the callback with an unknown kind $kindText")
            return try {
                constructor.newInstance(kindText, optionalText(parameter), optionalText(code), text(detail[0], detail[1]))
                    as Exception
            } catch (e: InvocationTargetException) {
                InternalException("could not build the $kindText error: ${e.targetException}")
            }
        } finally {
            psd_verify_error_free(error)
        }
    }

    private fun text(data: Long, length: Long): String =
        if (length == 0L) "" else Pointer(data).getByteArray(0, Math.toIntExact(length)).decodeToString()

    /** A psd_str {data, len} whose NULL data means "absent". */
    private fun optionalText(view: LongArray): String? = if (view[0] == 0L) null else text(view[0], view[1])
}
