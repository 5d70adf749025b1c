package com.postsyncer.delegation

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource
import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** An application store in Kotlin: `ConcurrentHashMap.remove` is the atomic take. */
class MapStore : StateStore {
    private class Held(val record: String, val expiresAtMillis: Long)

    private val records = ConcurrentHashMap<String, Held>()

    override fun put(key: String, record: String, ttlSeconds: Long) {
        val held = Held(record, System.currentTimeMillis() + ttlSeconds * 1000)
        if (records.putIfAbsent(key, held) != null) throw StoreException.Failed("key in use")
    }

    override fun take(key: String): String? =
        records.remove(key)?.takeIf { it.expiresAtMillis > System.currentTimeMillis() }?.record
}

/** [MapStore], failing when told to. */
class FailingStore(var failPut: Boolean, var failTake: Boolean, private val error: () -> Exception) : StateStore {
    private val inner = MapStore()

    override fun put(key: String, record: String, ttlSeconds: Long) {
        if (failPut) throw error()
        inner.put(key, record, ttlSeconds)
    }

    override fun take(key: String): String? {
        if (failTake) throw error()
        return inner.take(key)
    }
}

/** `Flow` (protocol.md §5) against the emulator, on memory, a real Redis and a Kotlin store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StateFlowTest {
    private val client = Client(TestEmulator.apiKey, TestEmulator.apiBaseUrl)
    private val secrets = listOf(TestEmulator.signingSecret)

    @AfterAll
    fun close() = client.close()

    /** PSD_REDIS_URL (scripts/test-jvm starts a redis-server): required under CI=true. */
    private fun redisUrl(): String {
        val url = System.getenv("PSD_REDIS_URL")
        if (url.isNullOrEmpty()) {
            check(System.getenv("CI") != "true") { "PSD_REDIS_URL is not set: scripts/test-jvm starts a redis-server and sets it" }
            assumeTrue(false, "PSD_REDIS_URL is not set")
        }
        return url!!
    }

    private fun flowOn(store: String): Flow = when (store) {
        "memory" -> Flow(client, secrets)
        "redis" -> Flow.withRedis(client, secrets, redisUrl(), keyPrefix = "psd-test:${UUID.randomUUID()}:")
        "kotlin-map" -> Flow.withStore(client, secrets, MapStore())
        else -> error(store)
    }

    private fun beginAndApprove(flow: Flow, subject: String): String {
        val begun = flow.beginBlocking(Platform.TIKTOK, CALLBACK_URL, subject, "/account")
        assertTrue(begun.authorizeUrl.startsWith("${TestEmulator.url}/oauth/delegate?request=psd_"), begun.authorizeUrl)
        assertEquals(900L, begun.expiresIn)
        return TestEmulator.callbackAfter(begun.authorizeUrl, "approve")
    }

    @ParameterizedTest
    @ValueSource(strings = ["memory", "redis", "kotlin-map"])
    fun completesOnceThenRefusesTheReplay(store: String) = flowOn(store).use { flow ->
        val callback = beginAndApprove(flow, "user-1")
        val completed = flow.completeBlocking(callback, "user-1")
        assertEquals(Platform.TIKTOK, completed.proof.platform)
        assertEquals("_000abc", completed.proof.platformId)
        assertEquals("jane", completed.proof.handle)
        assertEquals("/account", completed.metadata)

        val replay = assertThrows<CompleteException.StateNotFound> { flow.completeBlocking(callback, "user-1") }
        assertEquals("state_not_found", replay.kind)
        assertEquals("state_not_found", (replay as CompleteException).kind())
    }

    @ParameterizedTest
    @ValueSource(strings = ["memory", "redis", "kotlin-map"])
    fun anotherSubjectIsRefusedAndSpendsTheState(store: String) = flowOn(store).use { flow ->
        val callback = beginAndApprove(flow, "browser-a")
        val mismatch = assertThrows<CompleteException.SubjectMismatch> { flow.completeBlocking(callback, "browser-b") }
        assertEquals("subject_mismatch", mismatch.kind)
        assertThrows<CompleteException.StateNotFound> { flow.completeBlocking(callback, "browser-a") }
        Unit
    }

    @ParameterizedTest
    @ValueSource(strings = ["memory", "redis", "kotlin-map"])
    fun concurrentCompletionsGiveExactlyOneSuccess(store: String) = flowOn(store).use { flow ->
        val callback = beginAndApprove(flow, "user-1")
        val threads = 16
        val start = CountDownLatch(1)
        val pool = Executors.newFixedThreadPool(threads)
        try {
            val outcomes = (1..threads).map {
                pool.submit<String> {
                    start.await()
                    try {
                        flow.completeBlocking(callback, "user-1")
                        "ok"
                    } catch (e: CompleteException) {
                        e.kind()
                    }
                }
            }
            start.countDown()
            val kinds = outcomes.map { it.get(30, TimeUnit.SECONDS) }.sorted()
            assertEquals(listOf("ok") + List(threads - 1) { "state_not_found" }, kinds)
        } finally {
            pool.shutdown()
        }
    }

    @Test
    fun suspendBeginAndComplete() = runBlocking {
        Flow.withStore(client, secrets, MapStore()).use { flow ->
            val begun = flow.begin(Platform.YOUTUBE, CALLBACK_URL, "user-9")
            val completed = flow.complete(TestEmulator.callbackAfter(begun.authorizeUrl, "approve"), "user-9")
            assertEquals(Platform.YOUTUBE, completed.proof.platform)
            assertEquals(begun.state, completed.proof.state)
            assertNull(completed.metadata)
        }
    }

    @Test
    fun unreachableRedisIsStoreUnavailable() {
        val prefix = "psd-test:${UUID.randomUUID()}:"
        Flow.withRedis(client, secrets, UNREACHABLE_REDIS, keyPrefix = prefix, connectTimeoutMs = 500L).use { down ->
            val atBegin = assertThrows<BeginException.StoreUnavailable> {
                down.beginBlocking(Platform.TIKTOK, CALLBACK_URL, "u")
            }
            assertEquals("store_unavailable", atBegin.kind)

            Flow.withRedis(client, secrets, redisUrl(), keyPrefix = prefix).use { up ->
                val callback = beginAndApprove(up, "u")
                val atComplete = assertThrows<CompleteException.StoreUnavailable> { down.completeBlocking(callback, "u") }
                assertEquals("store_unavailable", atComplete.kind)
                // Nothing was taken: the reachable store still completes it, once.
                assertEquals("_000abc", up.completeBlocking(callback, "u").proof.platformId)
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = ["StoreException", "RuntimeException"])
    fun aStoreThatThrowsIsStoreUnavailable(thrown: String) {
        val error = {
            if (thrown == "StoreException") StoreException.Failed("database is down") else RuntimeException("database is down")
        }
        Flow.withStore(client, secrets, FailingStore(true, false, error)).use { flow ->
            val atBegin = assertThrows<BeginException.StoreUnavailable> { flow.beginBlocking(Platform.TIKTOK, CALLBACK_URL, "u") }
            assertTrue(atBegin.detail.contains("database is down"), atBegin.detail)
        }
        val store = FailingStore(false, false, error)
        Flow.withStore(client, secrets, store).use { flow ->
            val callback = beginAndApprove(flow, "u")
            store.failTake = true
            val atComplete = assertThrows<CompleteException.StoreUnavailable> { flow.completeBlocking(callback, "u") }
            assertTrue(atComplete.detail.contains("database is down"), atComplete.detail)
            assertThrows<CompleteException.StoreUnavailable> { runBlocking { flow.complete(callback, "u") } }
            // The JVM lives on, and the store works again once it recovers.
            store.failTake = false
            assertEquals("/account", flow.completeBlocking(callback, "u").metadata)
        }
    }

    @Test
    fun negativeAndMeaninglessZeroNumbersAreConfigErrors() {
        for (refused in listOf(-1L, 0L)) {
            assertThrows<ConfigException.InvalidArgument> { Flow(client, secrets, maxPendingSeconds = refused) }
            assertThrows<ConfigException.InvalidArgument> { Flow(client, secrets, memoryCapacity = refused) }
        }
        assertThrows<ConfigException.NoSecret> { Flow(client, listOf()) }
        assertThrows<ConfigException.InvalidArgument> { Flow.withRedis(client, secrets, "http://not-redis/") }
        Unit
    }

    private companion object {
        const val CALLBACK_URL = "https://app.example/oauth/callback"

        // The discard port: nothing listens, connecting is refused at once.
        const val UNREACHABLE_REDIS = "redis://127.0.0.1:9/"
    }
}
