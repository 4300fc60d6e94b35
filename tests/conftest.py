pytest_plugins = ["couchbase_mock.pytest_plugin"]
