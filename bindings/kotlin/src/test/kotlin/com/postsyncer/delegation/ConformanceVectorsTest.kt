package com.postsyncer.delegation

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.io.File

/**
 * Every case of tests/vectors/verify.json, through the binding, as one named test each; or of
 * the file named by PSD_VECTORS (the differential test's generated cases).
 */
class ConformanceVectorsTest {
    private val document = JSONObject(
        (System.getenv("PSD_VECTORS")?.let(::File) ?: File(repoRoot(), "tests/vectors/verify.json")).readText(),
    )

    @TestFactory
    fun everyVectorGivesItsExpectedResult(): List<DynamicTest> {
        assertEquals("postsyncer-delegation/verify-vectors/v1", document.getString("format"))
        val cases = document.getJSONArray("cases").map { it as JSONObject }
        assertTrue(cases.size >= 60, "the vector file lost cases")
        return cases.map { case -> DynamicTest.dynamicTest(case.getString("name")) { check(case) } }
    }

    private fun check(case: JSONObject) {
        val expected = case.getJSONObject("result")
        val actual = verifierFor(case).use { verifier ->
            try {
                val proof = verifier.verify(
                    case.getString("input"),
                    case.getString("expected_state"),
                    case.optString("expected_platform", "").takeIf { it.isNotEmpty() }?.let(::platformNamed),
                    case.getLong("now"),
                )
                JSONObject().put("ok", proof.toJson())
            } catch (e: VerifyException) {
                e.fields().toVectorResult()
            }
        }
        assertTrue(expected.similar(actual), "expected $expected, got $actual")
    }

    private fun verifierFor(case: JSONObject): Verifier {
        val secrets = case.getJSONArray("secrets").map { it as String }
        val maxLifetime: Long? = when {
            !case.has("max_lifetime") -> 3600L
            case.isNull("max_lifetime") -> null
            else -> case.getLong("max_lifetime")
        }
        return Verifier(secrets, case.optLong("leeway", 0L), maxLifetime)
    }

    private fun platformNamed(name: String): Platform =
        platformFromWireName(name) ?: error("the vectors name an unknown expected platform: $name")

    private fun Proof.toJson(): JSONObject = JSONObject()
        .put("platform", platform.wireName())
        .put("platform_id", platformId)
        .put("handle", handle)
        .put("state", state)
        .put("expires", expires)

    private fun VerifyErrorFields.toVectorResult(): JSONObject {
        assertFalse(detail.isEmpty(), "$kind: an error needs a message a person can act on")
        val result = JSONObject().put("error", kind)
        parameter?.let { result.put("parameter", it) }
        code?.let { result.put("code", it) }
        return result
    }
}
