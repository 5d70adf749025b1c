package com.postsyncer.delegation

import org.json.JSONObject
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit

/**
 * The emulator every test talks to: the one named by PSD_EMULATOR_URL, PSD_API_KEY and
 * PSD_SIGNING_SECRET, or else one this JVM starts on a free port and stops when it exits
 * (so `mvn test` works on its own).
 */
object TestEmulator {
    private val settings: Map<String, String> = fromEnvironment() ?: start()

    @JvmStatic val url: String = settings.getValue("PSD_EMULATOR_URL")
    @JvmStatic val apiKey: String = settings.getValue("PSD_API_KEY")
    @JvmStatic val signingSecret: String = settings.getValue("PSD_SIGNING_SECRET")

    /** The version in the repository's Cargo.toml ([workspace.package]). */
    @JvmStatic val crateVersion: String by lazy {
        val cargoToml = File(System.getProperty("psd.repo.root"), "Cargo.toml").readText()
        Regex("""(?m)^version = "([^"]+)"""").find(cargoToml)?.groupValues?.get(1)
            ?: error("no version in Cargo.toml")
    }

    /** The base URL a [Client] uses to reach the emulator's PostSyncer API. */
    @JvmStatic val apiBaseUrl: String get() = "$url/api"

    // Redirects are answers the tests read (the callback is in Location), never followed.
    private val http: HttpClient = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()

    /** A fresh API key whose requests get [faults] (the control API's JSON body). */
    @JvmStatic
    fun apiKeyWithFaults(faults: JSONObject = JSONObject()): String {
        val request = HttpRequest.newBuilder(URI("$url/emulator/api-keys"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(faults.toString()))
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() == 201) { "control API answered ${response.statusCode()}: ${response.body()}" }
        return JSONObject(response.body()).getString("api_key")
    }

    /** How many sessions requests the emulator has seen with [key], whatever their outcome. */
    @JvmStatic
    fun sessionRequests(key: String): Int {
        val response = http.send(
            HttpRequest.newBuilder(URI("$url/emulator/api-keys/$key/stats")).GET().build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(response.statusCode() == 200) { "stats answered ${response.statusCode()}: ${response.body()}" }
        return JSONObject(response.body()).getInt("session_requests")
    }

    /** Plays the user at the consent page: returns the response to `decision` (approve or deny). */
    @JvmStatic
    fun decide(authorizeUrl: String, decision: String): HttpResponse<String> =
        http.send(
            HttpRequest.newBuilder(URI("$authorizeUrl&decision=$decision")).GET().build(),
            HttpResponse.BodyHandlers.ofString(),
        )

    /** The callback URL the browser would be sent to after [decision] at [authorizeUrl]. */
    @JvmStatic
    fun callbackAfter(authorizeUrl: String, decision: String): String {
        val response = decide(authorizeUrl, decision)
        check(response.statusCode() == 303) { "consent page answered ${response.statusCode()}: ${response.body()}" }
        return response.headers().firstValue("Location").orElseThrow()
    }

    private fun fromEnvironment(): Map<String, String>? {
        val names = listOf("PSD_EMULATOR_URL", "PSD_API_KEY", "PSD_SIGNING_SECRET")
        val values = names.associateWith { System.getenv(it) }
        if (values.values.all { it == null }) return null
        val missing = values.filterValues { it.isNullOrEmpty() }.keys
        check(missing.isEmpty()) { "PSD_EMULATOR_URL, PSD_API_KEY and PSD_SIGNING_SECRET go together; missing: $missing" }
        return values.mapValues { it.value.orEmpty() }
    }

    private fun start(): Map<String, String> {
        val nativeDir = System.getProperty("psd.native.dir") ?: "${repoRoot()}/target/release"
        val binary = File(nativeDir, "postsyncer-delegate")
        check(binary.canExecute()) { "$binary is missing: run cargo build --release first" }
        val process = ProcessBuilder(binary.path, "emulate", "--addr", "127.0.0.1:0")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        Runtime.getRuntime().addShutdownHook(Thread {
            process.destroy()
            process.waitFor(5, TimeUnit.SECONDS)
        })
        val stdout = process.inputStream.bufferedReader()
        val announced = (1..3).mapNotNull { stdout.readLine()?.split('=', limit = 2) }
            .filter { it.size == 2 }
            .associate { it[0] to it[1] }
        check(announced.keys == setOf("PSD_EMULATOR_URL", "PSD_API_KEY", "PSD_SIGNING_SECRET")) {
            "the emulator did not announce itself as expected (got keys ${announced.keys})"
        }
        // Keep reading what it prints afterwards, so a full pipe never blocks it.
        Thread { stdout.useLines { lines -> lines.forEach { _ -> } } }.apply { isDaemon = true }.start()
        return announced
    }
}

/** The repository root (where tests/vectors and target/ live). */
fun repoRoot(): String = System.getProperty("psd.repo.root") ?: "../.."
