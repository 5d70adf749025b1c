module github.com/postsyncer/postsyncer-delegation/bindings/go

go 1.21
