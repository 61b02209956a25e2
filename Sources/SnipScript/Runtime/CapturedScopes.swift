/// The scopes that functions written in the language have captured.
///
/// A function defined in a scope is stored in that scope, and the function keeps the scope
/// alive: a reference cycle that ARC never frees. The interpreter records every scope a
/// function captures and empties them when it is reset or goes away, which breaks the cycles
/// (every scope, function, value and syntax tree of the run is then freed).
struct CapturedScopes {
    private final class WeakScope {
        weak var scope: Environment?
        init(_ scope: Environment) { self.scope = scope }
    }

    private var scopes: [ObjectIdentifier: WeakScope] = [:]
    /// The size at which scopes already freed are dropped from the table.
    private var pruneThreshold = 1024

    /// How many scopes are recorded (freed ones included until the next prune).
    var count: Int { scopes.count }

    /// Records that a function captured `scope`.
    mutating func insert(_ scope: Environment) {
        let id = ObjectIdentifier(scope)
        if scopes[id]?.scope === scope { return }
        scopes[id] = WeakScope(scope)
        if scopes.count >= pruneThreshold {
            scopes = scopes.filter { $0.value.scope != nil }
            pruneThreshold = Swift.max(1024, 2 * scopes.count)
        }
    }

    /// Empties every recorded scope that is still alive and forgets them all.
    mutating func release() {
        let live = scopes.values.compactMap(\.scope)
        scopes.removeAll()
        for scope in live { scope.values.removeAll() }
    }
}
