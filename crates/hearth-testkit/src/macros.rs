//! The one way to run a test body on both engines.

/// Runs each named test body once on SQLite and once on PostgreSQL, as two
/// tests `<name>::sqlite` and `<name>::postgres`. The forms:
///
/// - `both_backends!(a, b)`: `async fn a(s: TestServer)`, on a server from [`start`](crate::start);
/// - `both_backends!(keyed: a, b)`: the same on a server with an equality key ([`start_keyed`](crate::start_keyed));
/// - `both_backends!(backend: a, b)`: `async fn a(backend: Backend)`, for a body that starts
///   its own server, gate or `hearth` process (use [`database`](crate::database) for a fresh database);
/// - `both_backends!(blocking: a, b)`: `fn a(backend: Backend)`, a plain `#[test]` without a runtime.
///
/// The async forms run on a two-worker Tokio runtime; the calling crate needs `tokio`.
#[macro_export]
macro_rules! both_backends {
    (keyed: $($name:ident),+ $(,)?) => {
        $crate::both_backends!(@server $crate::start_keyed; $($name),+);
    };
    (backend: $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        )+
    };
    (blocking: $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::Backend::Sqlite)
                }
                #[test]
                fn postgres() {
                    super::$name($crate::Backend::Postgres)
                }
            }
        )+
    };
    (@server $start:path; $($name:ident),+) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($start($crate::Backend::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($start($crate::Backend::Postgres).await).await
                }
            }
        )+
    };
    ($($name:ident),+ $(,)?) => {
        $crate::both_backends!(@server $crate::start; $($name),+);
    };
}
