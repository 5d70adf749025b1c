package com.postsyncer.delegation

import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.Pointer
import java.lang.ref.Cleaner
import java.lang.ref.Reference
import java.util.concurrent.locks.ReentrantReadWriteLock

/**
 * Verifies PostSyncer callbacks against one or more signing secrets. Build it once at
 * start-up and share it between threads; key material is zeroized when it is freed.
 *
 * `leewaySeconds` tolerates clock skew; `maxLifetimeSeconds` bounds how far ahead an expiry
 * may be (`null` turns the bound off). Refuses no secret, an empty secret and negative
 * numbers with [ConfigException].
 *
 * A verifier holds native memory: [close] it at shutdown (or use `use { }` /
 * try-with-resources for a short-lived one); an unreachable verifier is freed by a cleaner.
 */
class Verifier @JvmOverloads @Throws(ConfigException::class) constructor(
    secrets: List<String>,
    leewaySeconds: Long = 0L,
    maxLifetimeSeconds: Long? = 3600L,
) : AutoCloseable {
    // Why not UniFFI's generated Verifier (excluded for Kotlin in uniffi.toml): its call path
    // allocates JNA structures and memory on every call and costs tens of times
    // javax.crypto.Mac (BENCHMARKS.md). This one calls the C ABI by JNA direct mapping with
    // primitives and arrays only. Every check of a callback happens in the Rust core.

    private val handle: Long = CAbi.newVerifier(secrets, leewaySeconds, maxLifetimeSeconds)

    // Must not capture `this`: it frees the native verifier once the object is unreachable.
    private val cleanable: Cleaner.Cleanable = CAbi.CLEANER.register(this, FreeVerifier(handle))

    // Verifications share the read lock; close() takes the write lock, so it waits for the
    // running ones and no verification starts on a freed verifier.
    private val lifecycle = ReentrantReadWriteLock()
    private var closed = false

    private class FreeVerifier(private val handle: Long) : Runnable {
        override fun run() = CAbi.psd_verifier_free(handle)
    }

    /**
     * Verifies a callback (the whole URL, or its query with or without `?`) and returns the
     * proof, or throws the [VerifyException] subclass of the first failing check. `now` is the
     * current time in unix seconds; `null` reads the system clock.
     */
    @JvmOverloads
    @Throws(VerifyException::class)
    fun verify(
        callback: String,
        expectedState: String,
        expectedPlatform: Platform? = null,
        now: Long? = null,
    ): Proof {
        val read = lifecycle.readLock()
        read.lock()
        try {
            check(!closed) { "this Verifier was closed" }
            return CAbi.verify(handle, callback, expectedState, expectedPlatform, now)
        } finally {
            read.unlock()
            Reference.reachabilityFence(this)
        }
    }

    /** Frees the native verifier and wipes its key material; later calls throw. Idempotent. */
    override fun close() {
        val write = lifecycle.writeLock()
        write.lock()
        try {
            if (!closed) {
                closed = true
                cleanable.clean()
            }
        } finally {
            write.unlock()
        }
    }

    override fun toString(): String = "Verifier(<secrets redacted>)"
}

/**
 * The part of the C API (include/postsyncer_delegation.h) that [Verifier] uses, bound by JNA
 * direct mapping to the library that the generated code loads (same name, same class loader:
 * JNA hands both the one loaded copy).
 */
private object CAbi {
    private const val OK = 0
    private const val NO_PLATFORM = 0

    val CLEANER: Cleaner = Cleaner.create()

    init {
        Native.register(CAbi::class.java, "postsyncer_delegation")
    }

    // size_t is 64 bits on the platforms the jar supports; pointers travel as long.
    @JvmStatic external fun psd_verifier_new(
        secrets: LongArray, secretCount: Long, leewaySeconds: Long, maxLifetimeSeconds: LongArray?,
        verifierOut: LongArray, errorMessageOut: LongArray,
    ): Int

    @JvmStatic external fun psd_verifier_verify(
        verifier: Long, callback: ByteArray, callbackLen: Long, expectedState: ByteArray, expectedStateLen: Long,
        expectedPlatform: Int, now: LongArray?, proofOut: LongArray, errorOut: LongArray,
    ): Int

    @JvmStatic external fun psd_verifier_free(verifier: Long)
    @JvmStatic external fun psd_proof_view(proof: Long, fieldsOut: LongArray): Int
    @JvmStatic external fun psd_proof_free(proof: Long)
    @JvmStatic external fun psd_verify_error_view(error: Long, fieldsOut: LongArray): Int
    @JvmStatic external fun psd_verify_error_free(error: Long)
    @JvmStatic external fun psd_string_view(string: Long, viewOut: LongArray): Int
    @JvmStatic external fun psd_string_free(string: Long)
    @JvmStatic external fun psd_platform_from_wire_name(name: ByteArray, nameLen: Long, platformOut: IntArray): Int

    /** The numbered results of the C API this class can meet, and the exception each raises. */
    private val configErrors: Map<Int, (String, String) -> ConfigException> = mapOf(
        100 to ConfigException::NoSecret,
        101 to ConfigException::EmptySecret,
        102 to ConfigException::EmptyApiKey,
        103 to ConfigException::InvalidArgument,
        104 to ConfigException::EntropyUnavailable,
    )
    private val verifyErrors: Map<Int, (String, String?, String?, String) -> VerifyException> = mapOf(
        200 to VerifyException::AuthorizationDenied,
        201 to VerifyException::MissingParameter,
        202 to VerifyException::DuplicateParameter,
        203 to VerifyException::MalformedParameter,
        204 to VerifyException::BadSignature,
        205 to VerifyException::UnsupportedPlatform,
        206 to VerifyException::PlatformMismatch,
        207 to VerifyException::StateMismatch,
        208 to VerifyException::Expired,
        209 to VerifyException::ExpiryTooFar,
    )
    private val configKinds: Map<Int, String> = mapOf(
        100 to "no_secret", 101 to "empty_secret", 102 to "empty_api_key", 103 to "invalid_argument",
        104 to "entropy_unavailable",
    )

    /** Each Platform's C code, found by its wire name. */
    private val platformCodes: Map<Platform, Int> = Platform.entries.associateWith { platform ->
        val name = platform.wireName().toByteArray()
        val code = IntArray(1)
        if (psd_platform_from_wire_name(name, name.size.toLong(), code) != OK) {
            throw InternalException("the native library does not know the platform ${platform.wireName()}")
        }
        code[0]
    }
    private val platforms: Map<Int, Platform> = platformCodes.entries.associate { (platform, code) -> code to platform }

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
            val message = LongArray(1)
            val result = psd_verifier_new(
                views, copies.size.toLong(), leewaySeconds, maxLifetimeSeconds?.let { longArrayOf(it) },
                verifier, message,
            )
            if (result != OK) {
                throw configException(result, message[0])
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
            throw verifyException(result, error[0])
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

    /** The ConfigException for a refused configuration, with the core's message; frees it. */
    private fun configException(result: Int, message: Long): Exception {
        try {
            val view = LongArray(2)
            val detail = if (message != 0L && psd_string_view(message, view) == OK) text(view[0], view[1]) else ""
            val make = configErrors[result] ?: return InternalException("psd_verifier_new failed with code $result")
            return make(configKinds.getValue(result), detail)
        } finally {
            psd_string_free(message)
        }
    }

    /** The VerifyException subclass for a rejected callback, with the core's fields; frees it. */
    private fun verifyException(result: Int, error: Long): Exception {
        try {
            // psd_verify_error_fields: kind, parameter, code, message, each a psd_str {data, len}.
            val fields = LongArray(8)
            val make = verifyErrors[result]
            if (make == null || error == 0L || psd_verify_error_view(error, fields) != OK) {
                return InternalException("psd_verifier_verify failed with code $result")
            }
            return make(text(fields[0], fields[1]), optionalText(fields[2], fields[3]),
                optionalText(fields[4], fields[5]), text(fields[6], fields[7]))
        } finally {
            psd_verify_error_free(error)
        }
    }

    private fun text(data: Long, length: Long): String =
        if (length == 0L) "" else Pointer(data).getByteArray(0, Math.toIntExact(length)).decodeToString()

    /** A psd_str whose NULL data means "absent". */
    private fun optionalText(data: Long, length: Long): String? = if (data == 0L) null else text(data, length)
}
