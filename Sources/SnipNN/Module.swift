import SnipTensor

/// A layer or model: named parameters and named submodules, whose names are the checkpoint keys.
///
/// Names follow PyTorch's state-dict keys (`attentions.0.q_lin.weight`), so that reference
/// checkpoints load without renaming; each module declares its keys once, next to its
/// properties.
public protocol Module: AnyObject {
    /// This module's own parameters, by key.
    var ownParameters: [(key: String, parameter: Parameter)] { get }
    /// Direct submodules, by key.
    var children: [(key: String, module: any Module)] { get }
}

extension Module {
    public var ownParameters: [(key: String, parameter: Parameter)] { [] }
    public var children: [(key: String, module: any Module)] { [] }

    /// Every parameter below this module, with dotted keys, in declaration order.
    public func namedParameters(prefix: String = "") -> [(key: String, parameter: Parameter)] {
        var result = ownParameters.map { (key: prefix + $0.key, parameter: $0.parameter) }
        for (key, child) in children {
            result += child.namedParameters(prefix: prefix + key + ".")
        }
        return result
    }

    /// Every parameter below this module.
    public var parameters: [Parameter] { namedParameters().map(\.parameter) }

    /// The parameter values by key (PyTorch's `state_dict()`).
    public func stateDict() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.key, $0.parameter.value.detached()) })
    }

    /// Replaces parameter values from `state`; with `strict`, every key must match both ways.
    public func load(stateDict state: [String: Tensor], strict: Bool = true) throws(StateDictError) {
        let named = namedParameters()
        for (key, parameter) in named {
            guard let value = state[key] else {
                if strict { throw .missingKey(key) }
                continue
            }
            guard value.shape == parameter.shape else {
                throw .shapeMismatch(key: key, expected: parameter.shape, found: value.shape)
            }
            parameter.value = value.detached()
        }
        if strict {
            let known = Set(named.map(\.key))
            if let extra = state.keys.sorted().first(where: { !known.contains($0) }) {
                throw .unexpectedKey(extra)
            }
        }
    }

    /// Forgets accumulated gradients.
    public func zeroGrad() { for p in parameters { p.value.zeroGrad() } }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}

/// Why a state dict did not fit a module.
public enum StateDictError: Error, Equatable, CustomStringConvertible {
    case missingKey(String)
    case unexpectedKey(String)
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missingKey(let key): "missing parameter '\(key)'"
        case .unexpectedKey(let key): "unexpected parameter '\(key)'"
        case .shapeMismatch(let key, let expected, let found):
            "parameter '\(key)' has shape \(found), the model expects \(expected)"
        }
    }
}
