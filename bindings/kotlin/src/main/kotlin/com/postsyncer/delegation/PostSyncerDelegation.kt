package com.postsyncer.delegation

/**
 * The library's free functions under a name Java can type: `PostSyncerDelegation.generateState()`
 * rather than the generated file's `Postsyncer_delegationKt` (UniFFI cannot name that class).
 * Kotlin callers may use either; each forwards to the generated function.
 */
object PostSyncerDelegation {
    /** A new random state (256 bits, URL-safe): persist it, compare it on the callback, spend it. */
    @JvmStatic
    @Throws(ConfigException::class)
    fun generateState(): String = com.postsyncer.delegation.generateState()

    /** The platform with this exact wire name (`twitter` for X), or `null`. */
    @JvmStatic
    fun platformFromWireName(name: String): Platform? = com.postsyncer.delegation.platformFromWireName(name)

    /** Signs a proof the way PostSyncer does (for emulators and tests; apps never need it). */
    @JvmStatic
    @Throws(ConfigException::class)
    fun signProof(secret: String, proof: Proof): String = com.postsyncer.delegation.signProof(secret, proof)

    /** This library's version, the one in `Cargo.toml`. */
    @JvmStatic
    fun version(): String = com.postsyncer.delegation.version()
}
