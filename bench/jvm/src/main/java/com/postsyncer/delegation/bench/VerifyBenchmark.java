package com.postsyncer.delegation.bench;

import com.postsyncer.delegation.Proof;
import com.postsyncer.delegation.Verifier;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One verification through the binding (reading platform id and handle) against what a Java
 * backend writes by hand: split the query, URL-decode, rebuild the base, HMAC-SHA256 with
 * javax.crypto.Mac (a Mac per call: Mac is not thread-safe), compare in constant time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class VerifyBenchmark {
    private static final String SECRET = "ps_test_signing_secret_0001";
    private static final String STATE = "a1b2c3d4";
    private static final long NOW = 1_716_999_940L;
    private static final String CALLBACK = "https://yourapp.com/cb?platform=tiktok&platform_id=_000abc&handle=jane"
            + "&state=a1b2c3d4&expires=1717000000"
            + "&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";

    private Verifier verifier;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        verifier = new Verifier(List.of(SECRET), 0L, 3600L);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        verifier.close();
    }

    @Benchmark
    public void binding(Blackhole sink) throws Exception {
        Proof proof = verifier.verify(CALLBACK, STATE, null, NOW);
        sink.consume(proof.getPlatformId());
        sink.consume(proof.getHandle());
    }

    @Benchmark
    public void javaxCryptoMac(Blackhole sink) throws Exception {
        Map<String, String> params = new HashMap<>();
        String query = CALLBACK.substring(CALLBACK.indexOf('?') + 1);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String base = "platform=" + params.get("platform") + "&platform_id=" + params.get("platform_id")
                + "&handle=" + params.get("handle") + "&state=" + params.get("state")
                + "&expires=" + params.get("expires");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal(base.getBytes(StandardCharsets.UTF_8));
        byte[] given = HexFormat.of().parseHex(params.get("sig"));
        if (!MessageDigest.isEqual(expected, given)
                || !MessageDigest.isEqual(params.get("state").getBytes(StandardCharsets.UTF_8),
                        STATE.getBytes(StandardCharsets.UTF_8))
                || Long.parseLong(params.get("expires")) < NOW) {
            throw new IllegalStateException("rejected");
        }
        sink.consume(params.get("platform_id"));
        sink.consume(params.get("handle"));
    }
}
