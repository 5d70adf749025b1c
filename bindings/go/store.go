package postsyncer

// #include <stdlib.h>
// #include "postsyncer_delegation.h"
//
// // The application store's callbacks, exported from store_bridge.go.
// extern int32_t psdGoStorePut(void *, psd_str, psd_str, uint64_t, psd_store_reply *);
// extern int32_t psdGoStoreTake(void *, psd_str, psd_store_reply *);
// extern void psdGoStoreRelease(void *);
import "C"

import (
	"runtime"
	"runtime/cgo"
	"sync"
	"time"
	"unsafe"
)

// The defaults of the stores: the C API's PSD_DEFAULT_* values, which are the core's.
const (
	// DefaultMemoryStoreCapacity is how many pending flows NewMemoryStore's store holds at
	// most when given it.
	DefaultMemoryStoreCapacity = int(C.PSD_DEFAULT_MEMORY_STORE_CAPACITY)
	// DefaultRedisTimeout bounds connecting and each command unless WithConnectTimeout or
	// WithCommandTimeout says otherwise.
	DefaultRedisTimeout = time.Duration(C.PSD_DEFAULT_REDIS_TIMEOUT_MS) * time.Millisecond
	// DefaultRedisKeyPrefix is the prefix of every key unless WithKeyPrefix says otherwise.
	DefaultRedisKeyPrefix = "psd:state:"
)

// FlowStore is where a Flow keeps its pending records: a *MemoryStore, a *RedisStore, or
// the application's own Store wrapped by NewAppStore. Close it once the flows made with it
// are made: each Flow keeps its own reference.
type FlowStore interface {
	// native is the C store (its ptr nil once closed; nil for a nil receiver).
	native() *nativeStore
}

// nativeStore is a psd_store shared by the Go store types.
type nativeStore struct {
	mu  sync.RWMutex // held for reading while a Flow is made from it, for writing by Close
	ptr *C.psd_store
}

func (s *nativeStore) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	C.psd_store_free(s.ptr)
	s.ptr = nil
}

// MemoryStore keeps pending records in this process's memory: right for one process (a
// single server, tests). A fleet, or a server that forks workers, needs a shared store
// (RedisStore, or the application's database through NewAppStore).
type MemoryStore struct{ store nativeStore }

// NewMemoryStore makes a store of at most capacity pending flows
// (DefaultMemoryStoreCapacity is the default): when full, expired records are evicted, and
// if it is still full Begin fails with ErrStoreUnavailable. Zero or negative is a
// *ConfigError (ErrInvalidArgument).
func NewMemoryStore(capacity int) (*MemoryStore, error) {
	s := &MemoryStore{}
	if result := C.psd_store_new_memory(C.int64_t(capacity), &s.store.ptr); result != C.PSD_RESULT_OK {
		return nil, kind(resultName(result))
	}
	runtime.SetFinalizer(s, (*MemoryStore).Close)
	return s, nil
}

func (s *MemoryStore) native() *nativeStore {
	if s == nil {
		return nil
	}
	return &s.store
}

// Close releases this reference to the store; flows made with it keep theirs.
func (s *MemoryStore) Close() error {
	s.store.close()
	runtime.SetFinalizer(s, nil)
	return nil
}

// RedisStore keeps pending records in Redis, shared by every process and host using the
// same server and key prefix: records are written with an expiry and taken atomically
// (GETDEL, or a script on servers older than 6.2), so of any number of concurrent
// completions of one callback exactly one succeeds. It connects on first use; a server
// that cannot be reached, or a command slower than its timeout, is ErrStoreUnavailable.
type RedisStore struct{ store nativeStore }

type redisConfig struct {
	keyPrefix          *string // nil: DefaultRedisKeyPrefix
	connectTimeoutMs   int64
	commandTimeoutMs   int64
	rootCertificatePEM *string // nil: the system's roots
}

// RedisOption changes a RedisStore's key prefix, timeouts or TLS roots.
type RedisOption func(*redisConfig)

// WithKeyPrefix sets the prefix of every key (DefaultRedisKeyPrefix by default); give each
// application sharing a server its own.
func WithKeyPrefix(prefix string) RedisOption {
	return func(c *redisConfig) { c.keyPrefix = &prefix }
}

// WithConnectTimeout bounds connecting. A part of a millisecond counts as a whole one;
// zero or negative is refused by NewRedisStore (ErrInvalidArgument).
func WithConnectTimeout(d time.Duration) RedisOption {
	return func(c *redisConfig) { c.connectTimeoutMs = millisRoundedUp(d) }
}

// WithCommandTimeout bounds each command, as WithConnectTimeout bounds connecting.
func WithCommandTimeout(d time.Duration) RedisOption {
	return func(c *redisConfig) { c.commandTimeoutMs = millisRoundedUp(d) }
}

// WithRootCertificatePEM trusts only these PEM certificates for rediss:// (a private CA,
// or a self-signed server) instead of the system's roots.
func WithRootCertificatePEM(pem string) RedisOption {
	return func(c *redisConfig) { c.rootCertificatePEM = &pem }
}

// NewRedisStore makes a store on the Redis server at url
// (redis://[:password@]host[:port][/db], rediss://… for TLS). A URL or option the core
// refuses is a *ConfigError (ErrInvalidArgument) whose message never holds the password.
func NewRedisStore(url string, opts ...RedisOption) (*RedisStore, error) {
	config := redisConfig{connectTimeoutMs: C.PSD_DEFAULT_REDIS_TIMEOUT_MS, commandTimeoutMs: C.PSD_DEFAULT_REDIS_TIMEOUT_MS}
	for _, opt := range opts {
		opt(&config)
	}
	urlData, urlLen := cPresentString(url)
	var prefixData, pemData *C.char // NULL: the default
	var prefixLen, pemLen C.size_t
	if config.keyPrefix != nil {
		prefixData, prefixLen = cPresentString(*config.keyPrefix)
	}
	if config.rootCertificatePEM != nil {
		pemData, pemLen = cPresentString(*config.rootCertificatePEM)
	}
	s := &RedisStore{}
	var message *C.psd_string
	result := C.psd_store_new_redis(urlData, urlLen, prefixData, prefixLen, C.int64_t(config.connectTimeoutMs),
		C.int64_t(config.commandTimeoutMs), pemData, pemLen, &s.store.ptr, &message)
	if result != C.PSD_RESULT_OK {
		return nil, configError(result, message)
	}
	runtime.SetFinalizer(s, (*RedisStore).Close)
	return s, nil
}

func (s *RedisStore) native() *nativeStore {
	if s == nil {
		return nil
	}
	return &s.store
}

// Close releases this reference to the store; flows made with it keep theirs (and the
// connection, until the last of them is closed).
func (s *RedisStore) Close() error {
	s.store.close()
	runtime.SetFinalizer(s, nil)
	return nil
}

// Store is a store the application implements over its own database, for NewAppStore.
// Keys are 64 lowercase hex digits (a hash of the state, never the state); records are
// UTF-8 text of at most a few kilobytes.
//
// The rules (the same as every store's): Put stores record under key for ttl (whole
// seconds, at least one), and fails if a live record is already under key (a store without
// expiry may keep it longer: the flow refuses a record past its expiry). Take removes and
// returns the record under key in one atomic step (DELETE … RETURNING in SQL, a
// conditional delete, a transaction): of concurrent Takes of one key, across goroutines,
// processes and hosts, exactly one may find it; none is ("", false, nil). A failure is a
// non-nil error, never found == false: the flow must tell "no such flow" from "could not
// look". Errors (and panics) become ErrStoreUnavailable, with the error's text quoted: keep
// passwords, keys and records out of it.
//
// Both are called on the goroutine that called Begin or Complete, concurrently when
// several do: they must be safe for concurrent use. Give database calls their own
// timeouts: a call that never returns blocks its Begin or Complete forever.
type Store interface {
	Put(key, record string, ttl time.Duration) error
	Take(key string) (record string, found bool, err error)
}

// AppStore is the application's Store made into a FlowStore by NewAppStore.
type AppStore struct{ store nativeStore }

// NewAppStore makes the application's Store usable by flows. The Store is kept reachable
// until the AppStore and every Flow made with it are closed.
func NewAppStore(s Store) (*AppStore, error) {
	// The handle's value travels through C as user_data; C memory holds it so that no Go
	// pointer (nor an integer posing as one) is handed to C.
	slot := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	*slot = C.uintptr_t(cgo.NewHandle(s))
	callbacks := C.psd_store_callbacks{
		user_data: unsafe.Pointer(slot),
		put:       (*[0]byte)(C.psdGoStorePut),
		take:      (*[0]byte)(C.psdGoStoreTake),
		release:   (*[0]byte)(C.psdGoStoreRelease),
	}
	a := &AppStore{}
	if result := C.psd_store_new_callbacks(&callbacks, &a.store.ptr); result != C.PSD_RESULT_OK {
		// The library never calls release when it refused the store.
		cgo.Handle(*slot).Delete()
		C.free(unsafe.Pointer(slot))
		return nil, kind(resultName(result))
	}
	runtime.SetFinalizer(a, (*AppStore).Close)
	return a, nil
}

func (a *AppStore) native() *nativeStore {
	if a == nil {
		return nil
	}
	return &a.store
}

// Close releases this reference to the store; flows made with it keep theirs.
func (a *AppStore) Close() error {
	a.store.close()
	runtime.SetFinalizer(a, nil)
	return nil
}
