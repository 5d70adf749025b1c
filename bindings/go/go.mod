module github.com/postsyncer-delegation/postsyncer-delegation/bindings/go

go 1.21
