module github.com/postsyncer-delegation/postsyncer-delegation/examples/go-nethttp

go 1.22

require github.com/postsyncer-delegation/postsyncer-delegation/bindings/go v0.0.0

// Builds against this checkout's binding (its include/ and lib/ filled as scripts/test-go does).
replace github.com/postsyncer-delegation/postsyncer-delegation/bindings/go => ../../bindings/go
