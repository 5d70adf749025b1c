package com.postsyncer.delegation.bench;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * The prototype of the design the binding's Verifier now uses (bindings/kotlin/.../Verifier.kt):
 * the C ABI of the same library through JNA direct mapping, with primitive and array arguments
 * only (no Structure, no per-call Memory), reading every proof field with one psd_proof_view.
 * Kept as the floor for the binding row: the binding adds its close()-safe call counter, the
 * Proof record and the VerifyException mapping. All checks stay in the Rust core either way.
 */
final class DirectCAbi {
    static {
        // The library the binding's jar bundles on JNA's resource path.
        Native.register(DirectCAbi.class, "postsyncer_delegation");
    }

    private static final int OK = 0;

    private static native int psd_verifier_new(long[] secrets, long secretCount, long leeway, long maxLifetime,
            long[] verifierOut, long[] errorMessageOut);

    private static native int psd_verifier_verify(long verifier, byte[] callback, long callbackLen,
            byte[] expectedState, long expectedStateLen, int expectedPlatform, long[] now, long[] proofOut,
            long[] errorOut);

    private static native int psd_proof_view(long proof, long[] fieldsOut);

    private static native void psd_proof_free(long proof);

    private static native void psd_verifier_free(long verifier);

    /** A verified proof's identity fields, as the prototype reads them. */
    record Identity(String platformId, String handle) {}

    private final long verifier;

    DirectCAbi(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        Memory copy = new Memory(bytes.length);
        copy.write(0, bytes, 0, bytes.length);
        long[] out = new long[1];
        if (psd_verifier_new(new long[] {Pointer.nativeValue(copy), bytes.length}, 1, 0, 3600, out, null) != OK) {
            throw new IllegalStateException("psd_verifier_new failed");
        }
        verifier = out[0];
    }

    Identity verify(String callback, String expectedState, long now) {
        byte[] callbackBytes = callback.getBytes(StandardCharsets.UTF_8);
        byte[] stateBytes = expectedState.getBytes(StandardCharsets.UTF_8);
        long[] proof = new long[1];
        int result = psd_verifier_verify(verifier, callbackBytes, callbackBytes.length, stateBytes,
                stateBytes.length, 0, new long[] {now}, proof, null);
        if (result != OK) {
            throw new IllegalStateException("rejected: " + result);
        }
        try {
            // psd_proof_fields: platform (u32, padded), three psd_str {data, len}, expires.
            long[] fields = new long[8];
            psd_proof_view(proof[0], fields);
            return new Identity(text(fields[1], fields[2]), text(fields[3], fields[4]));
        } finally {
            psd_proof_free(proof[0]);
        }
    }

    private static String text(long data, long len) {
        return len == 0 ? "" : new String(new Pointer(data).getByteArray(0, (int) len), StandardCharsets.UTF_8);
    }

    void close() {
        psd_verifier_free(verifier);
    }
}
