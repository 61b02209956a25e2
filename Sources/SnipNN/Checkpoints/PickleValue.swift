import SnipTensor

/// A Python object read from a pickle: the subset that checkpoints contain, with torch tensors
/// rebuilt as `Tensor`s and any other class kept as an inert `object` (never executed).
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    /// A dict or OrderedDict, in insertion order.
    case dict([(key: PickleValue, value: PickleValue)])
    /// A class or function reference (`module.name`).
    case global(String)
    /// An instance of a class snip does not interpret: its type, constructor arguments and the
    /// state set on it (a `pathlib.PosixPath`, an argparse `Namespace`, …).
    case object(type: String, arguments: [PickleValue], state: PickleValue?)
    /// A tensor, converted to float32.
    case tensor(Tensor)

    /// The value under a string key of a dict (or a Namespace-like object's state).
    public subscript(key: String) -> PickleValue? {
        switch self {
        case .dict(let items):
            return items.first { if case .string(key) = $0.key { return true } else { return false } }?.value
        case .object(_, _, let state?):
            return state[key]
        default:
            return nil
        }
    }

    /// The string keys of a dict.
    public var keys: [String] {
        guard case .dict(let items) = self else { return [] }
        return items.compactMap { if case .string(let s) = $0.key { s } else { nil } }
    }

    /// The tensor, if this is one.
    public var tensor: Tensor? { if case .tensor(let t) = self { t } else { nil } }

    /// The string, if this is one.
    public var string: String? { if case .string(let s) = self { s } else { nil } }

    /// A number as Double (ints and floats and bools).
    public var double: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let f): f
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    /// An integer (ints, and bools).
    public var int: Int? {
        switch self {
        case .int(let i): i
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    /// Every tensor below this value, keyed by the dotted path of dict keys leading to it.
    public func tensors(prefix: String = "") -> [(key: String, tensor: Tensor)] {
        switch self {
        case .tensor(let t):
            return [(prefix, t)]
        case .dict(let items):
            return items.flatMap { item -> [(key: String, tensor: Tensor)] in
                let name: String
                switch item.key {
                case .string(let s): name = s
                case .int(let i): name = String(i)
                default: return []
                }
                return item.value.tensors(prefix: prefix.isEmpty ? name : prefix + "." + name)
            }
        default:
            return []
        }
    }
}
