import Foundation
import SnipTensor

/// Reads the pickle subset that `torch.save` writes (protocols 2–5), without executing
/// anything: classes become names, torch storages and tensors are rebuilt from the archive's
/// data members, every other object is kept inert. Any malformed input is an error, never a
/// crash.
///
/// Untrusted input is bounded: only the globals of ``allowedGlobals`` may appear (as
/// `torch.load(weights_only=True)` does; any other is refused by name), lengths are checked
/// without overflow, the stream may create at most ``maxObjects`` objects and the result may
/// hold at most ``maxValues`` values (memo-shared "billion laughs" structures are refused), and
/// nothing recurses deeper than ``maxDepth`` (deep structures are freed iteratively).
struct Unpickler {
    /// The most objects a stream may create (a real checkpoint's pickle creates a few thousand).
    static let maxObjects = 4_000_000
    /// The most values the result may hold, counting each memo-shared value every time it occurs.
    static let maxValues = 1_000_000
    /// The deepest nesting of the result.
    static let maxDepth = 200

    /// The globals a checkpoint may name: what rebuilds tensors and storages, the containers
    /// `torch.save` uses, and the inert objects released checkpoints pickle beside the weights
    /// (paths, an argparse `Namespace`, numpy scalars in the metrics, dtypes, `torch.Size`).
    /// None is ever called; the inert ones are kept as ``PickleValue/object(type:arguments:state:)``.
    static let allowedGlobals: Set<String> = [
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage",
        "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage",
        "torch.ByteStorage", "torch.BoolStorage", "torch.Size",
        "torch.float32", "torch.float64", "torch.float16", "torch.bfloat16", "torch.int64",
        "torch.int32", "torch.int16", "torch.int8", "torch.uint8", "torch.bool",
        "collections.OrderedDict", "builtins.dict", "builtins.list", "builtins.tuple",
        "builtins.set", "builtins.frozenset", "builtins.slice", "builtins.complex",
        "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath",
        "pathlib.PureWindowsPath", "pathlib.Path", "argparse.Namespace",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.ndarray", "_codecs.encode",
    ]

    /// A node on the unpickling stack; a class so that containers can be filled after they were
    /// memoised (pickle's APPEND/SETITEM mutate an object that the memo also holds).
    final class Node {
        enum Kind {
            case value(PickleValue)
            case list, tuple, dict
            case global(String)
            case object(String)
            case storage(dtype: String, key: String)
            case mark
        }
        var kind: Kind
        var items: [Node] = []
        var pairs: [(Node, Node)] = []
        var state: Node?
        init(_ kind: Kind, items: [Node] = []) {
            self.kind = kind
            self.items = items
        }

        /// Frees the nodes below this one without recursion: a 100,000-deep chain would
        /// otherwise release itself one stack frame per level.
        deinit {
            guard !items.isEmpty || !pairs.isEmpty || state != nil else { return }
            var pending = takeChildren()
            while var node = pending.popLast() {
                if isKnownUniquelyReferenced(&node) { pending += node.takeChildren() }
            }
        }

        private func takeChildren() -> [Node] {
            var children = items
            items = []
            for (key, value) in pairs {
                children.append(key)
                children.append(value)
            }
            pairs = []
            if let state { children.append(state) }
            state = nil
            return children
        }
    }

    let bytes: UnsafeRawBufferPointer
    let path: String
    /// Loads the elements of a storage key as float32 given its dtype, element offset, sizes and
    /// strides.
    let tensorLoader: (_ dtype: String, _ key: String, _ offset: Int, _ size: [Int], _ stride: [Int]) throws -> Tensor

    private var position = 0
    private var stack: [Node] = []
    private var memo: [Int: Node] = [:]
    private var objects = 0
    private var values = 0

    init(
        bytes: UnsafeRawBufferPointer, path: String,
        tensorLoader: @escaping (String, String, Int, [Int], [Int]) throws -> Tensor
    ) {
        self.bytes = bytes
        self.path = path
        self.tensorLoader = tensorLoader
    }

    private func fail(_ reason: String) -> CheckpointError {
        CheckpointError(path: path, key: "data.pkl", reason)
    }

    private mutating func take(_ n: Int) throws(CheckpointError) -> UnsafeRawBufferPointer {
        // `n <= count - position`, not `position + n <= count`: n may be near Int.max
        guard n >= 0, n <= bytes.count - position else {
            throw fail("truncated pickle stream at byte \(position) (\(n) bytes announced)")
        }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + n])
    }

    /// Takes as many bytes as an unsigned length field announces.
    private mutating func take<T: FixedWidthInteger & UnsignedInteger>(lengthOf _: T.Type) throws(CheckpointError)
        -> UnsafeRawBufferPointer
    {
        let length = try integer(T.self)
        guard let n = Int(exactly: length) else {
            throw fail("truncated pickle stream at byte \(position) (\(length) bytes announced)")
        }
        return try take(n)
    }

    /// Pushes a new object, counting it against ``maxObjects``.
    private mutating func push(_ node: Node) throws(CheckpointError) {
        objects += 1
        guard objects <= Self.maxObjects else {
            throw fail("the pickle creates more than \(Self.maxObjects) objects")
        }
        stack.append(node)
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(CheckpointError) -> T {
        let raw = try take(MemoryLayout<T>.size)
        return T(littleEndian: raw.loadUnaligned(as: T.self))
    }

    private mutating func line() throws(CheckpointError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("truncated pickle line") }
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        position = end + 1
        return text
    }

    private mutating func pop() throws(CheckpointError) -> Node {
        guard let node = stack.popLast() else { throw fail("pickle stack underflow at byte \(position)") }
        return node
    }

    private mutating func popToMark() throws(CheckpointError) -> [Node] {
        guard let mark = stack.lastIndex(where: { if case .mark = $0.kind { true } else { false } }) else {
            throw fail("pickle MARK missing at byte \(position)")
        }
        let items = Array(stack[(mark + 1)...])
        stack.removeSubrange(mark...)
        return items
    }

    private func top() throws(CheckpointError) -> Node {
        guard let node = stack.last else { throw fail("pickle stack underflow at byte \(position)") }
        return node
    }

    private func string(_ raw: UnsafeRawBufferPointer) -> Node {
        Node(.value(.string(String(decoding: raw, as: UTF8.self))))
    }

    /// Runs the stream to STOP and returns the result.
    mutating func run() throws(CheckpointError) -> PickleValue {
        while true {
            let opcode = try take(1)[0]
            switch opcode {
            case 0x80: _ = try take(1)  // PROTO
            case 0x95: _ = try take(8)  // FRAME
            case 0x2E:  // STOP
                return try convert(pop(), depth: 0)
            case 0x28: try push(Node(.mark))  // MARK
            case 0x7D: try push(Node(.dict))  // EMPTY_DICT
            case 0x5D: try push(Node(.list))  // EMPTY_LIST
            case 0x29: try push(Node(.tuple))  // EMPTY_TUPLE
            case 0x8F: try push(Node(.list))  // EMPTY_SET (kept as a list)
            case 0x64:  // DICT
                let items = try popToMark()
                let dict = Node(.dict)
                for i in stride(from: 0, to: items.count - 1, by: 2) { dict.pairs.append((items[i], items[i + 1])) }
                try push(dict)
            case 0x6C: try push(Node(.list, items: try popToMark()))  // LIST
            case 0x74: try push(Node(.tuple, items: try popToMark()))  // TUPLE
            case 0x85: try push(Node(.tuple, items: [try pop()]))  // TUPLE1
            case 0x86:  // TUPLE2
                let b = try pop(), a = try pop()
                try push(Node(.tuple, items: [a, b]))
            case 0x87:  // TUPLE3
                let c = try pop(), b = try pop(), a = try pop()
                try push(Node(.tuple, items: [a, b, c]))
            case 0x91: try push(Node(.list, items: try popToMark()))  // FROZENSET
            case 0x90:  // ADDITEMS
                let items = try popToMark()
                try top().items += items
            case 0x58: try push(string(try take(lengthOf: UInt32.self)))  // BINUNICODE
            case 0x8C: try push(string(try take(Int(try take(1)[0]))))  // SHORT_BINUNICODE
            case 0x8D: try push(string(try take(lengthOf: UInt64.self)))  // BINUNICODE8
            case 0x54: try push(string(try take(lengthOf: UInt32.self)))  // BINSTRING
            case 0x55: try push(string(try take(Int(try take(1)[0]))))  // SHORT_BINSTRING
            case 0x42: try push(Node(.value(.bytes(Array(try take(lengthOf: UInt32.self))))))  // BINBYTES
            case 0x43: try push(Node(.value(.bytes(Array(try take(Int(try take(1)[0])))))))  // SHORT_BINBYTES
            case 0x8E: try push(Node(.value(.bytes(Array(try take(lengthOf: UInt64.self))))))  // BINBYTES8
            case 0x4A: try push(Node(.value(.int(Int(try integer(Int32.self))))))  // BININT
            case 0x4B: try push(Node(.value(.int(Int(try take(1)[0])))))  // BININT1
            case 0x4D: try push(Node(.value(.int(Int(try integer(UInt16.self))))))  // BININT2
            case 0x8A, 0x8B:  // LONG1, LONG4
                let n = opcode == 0x8A ? Int(try take(1)[0]) : Int(try integer(Int32.self))
                let raw = try take(n)
                guard n <= 8 else { try push(Node(.value(.bytes(Array(raw))))); break }
                var value: Int64 = 0
                for (i, byte) in raw.enumerated() { value |= Int64(byte) << (8 * Int64(i)) }
                if n > 0 && n < 8 && raw[n - 1] & 0x80 != 0 { value -= Int64(1) << (8 * Int64(n)) }
                try push(Node(.value(.int(Int(value)))))
            case 0x47:  // BINFLOAT (big-endian)
                let raw = try take(8)
                try push(Node(.value(.float(Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)))))))
            case 0x49:  // INT (text)
                let text = try line()
                if text == "01" { try push(Node(.value(.bool(true)))) }
                else if text == "00" { try push(Node(.value(.bool(false)))) }
                else { try push(Node(.value(.int(Int(text) ?? 0)))) }
            case 0x4C: try push(Node(.value(.int(Int(try line().dropLast(1)) ?? 0))))  // LONG (text)
            case 0x46: try push(Node(.value(.float(Double(try line()) ?? .nan))))  // FLOAT (text)
            case 0x53, 0x56: try push(Node(.value(.string(try line()))))  // STRING, UNICODE (text)
            case 0x4E: try push(Node(.value(.none)))  // NONE
            case 0x88: try push(Node(.value(.bool(true))))  // NEWTRUE
            case 0x89: try push(Node(.value(.bool(false))))  // NEWFALSE
            case 0x71: memo[Int(try take(1)[0])] = try top()  // BINPUT
            case 0x72: memo[Int(try integer(UInt32.self))] = try top()  // LONG_BINPUT
            case 0x70: memo[Int(try line()) ?? -1] = try top()  // PUT
            case 0x94: memo[memo.count] = try top()  // MEMOIZE
            case 0x68, 0x6A, 0x67:  // BINGET, LONG_BINGET, GET
                let index = opcode == 0x68 ? Int(try take(1)[0]) : opcode == 0x6A ? Int(try integer(UInt32.self)) : (Int(try line()) ?? -1)
                guard let node = memo[index] else { throw fail("pickle memo entry \(index) is missing") }
                try push(node)
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popToMark()  // POP_MARK
            case 0x32: try push(top())  // DUP
            case 0x63:  // GLOBAL
                let module = try line()
                let name = try line()
                try push(global(module + "." + name))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard case .value(.string(let n)) = name.kind, case .value(.string(let m)) = module.kind else {
                    throw fail("STACK_GLOBAL needs two strings")
                }
                try push(global(m + "." + n))
            case 0x52:  // REDUCE
                let arguments = try pop(), callable = try pop()
                try push(reduce(callable, arguments.items))
            case 0x81:  // NEWOBJ
                let arguments = try pop(), cls = try pop()
                try push(instantiate(cls, arguments.items))
            case 0x92:  // NEWOBJ_EX
                _ = try pop()
                let arguments = try pop(), cls = try pop()
                try push(instantiate(cls, arguments.items))
            case 0x62:  // BUILD
                let state = try pop()
                let target = try top()
                if case .object = target.kind { target.state = state }
                // dicts (OrderedDict `_metadata`) and tensors ignore their state
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                let target = try top()
                guard case .dict = target.kind else { throw fail("SETITEM on a non-dict") }
                target.pairs.append((key, value))
            case 0x75:  // SETITEMS
                let items = try popToMark()
                let target = try top()
                guard case .dict = target.kind else { throw fail("SETITEMS on a non-dict") }
                for i in stride(from: 0, to: items.count - 1, by: 2) { target.pairs.append((items[i], items[i + 1])) }
            case 0x61:  // APPEND
                let value = try pop()
                try top().items.append(value)
            case 0x65:  // APPENDS
                let items = try popToMark()
                try top().items += items
            case 0x51:  // BINPERSID
                let pid = try pop()
                try push(persistent(pid))
            default:
                throw fail(String(format: "unsupported pickle opcode 0x%02x at byte %d", opcode, position - 1))
            }
        }
    }

    /// A reference to an allowed global; any other is refused by name.
    private func global(_ name: String) throws(CheckpointError) -> Node {
        guard Self.allowedGlobals.contains(name) else {
            throw fail(
                "refusing to load: the pickle names the global '\(name)', which is not a tensor, storage "
                    + "or plain value a checkpoint needs (snip never runs code from a checkpoint)")
        }
        return Node(.global(name))
    }

    private static let storageTypes: [String: String] = [
        "FloatStorage": "F32", "DoubleStorage": "F64", "HalfStorage": "F16", "BFloat16Storage": "BF16",
        "LongStorage": "I64", "IntStorage": "I32", "ShortStorage": "I16", "CharStorage": "I8",
        "ByteStorage": "U8", "BoolStorage": "BOOL",
    ]

    private func persistent(_ pid: Node) throws(CheckpointError) -> Node {
        // ('storage', <class torch.XStorage>, key, location, numel)
        guard pid.items.count >= 3, case .value(.string("storage")) = pid.items[0].kind,
            case .global(let type) = pid.items[1].kind, case .value(.string(let key)) = pid.items[2].kind
        else { throw fail("unsupported persistent id") }
        let short = String(type.split(separator: ".").last ?? "")
        guard let dtype = Self.storageTypes[short] else {
            throw CheckpointError(path: path, key: "data/\(key)", "unsupported storage type \(type)")
        }
        return Node(.storage(dtype: dtype, key: key))
    }

    private func ints(_ node: Node) -> [Int]? {
        var result: [Int] = []
        for item in node.items {
            guard case .value(.int(let i)) = item.kind else { return nil }
            result.append(i)
        }
        return result
    }

    private func reduce(_ callable: Node, _ arguments: [Node]) throws(CheckpointError) -> Node {
        guard case .global(let name) = callable.kind else {
            return Node(.object("<call>"), items: arguments)
        }
        switch name {
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            guard arguments.count >= 4, case .storage(let dtype, let key) = arguments[0].kind,
                case .value(.int(let offset)) = arguments[1].kind,
                let size = ints(arguments[2]), let stride = ints(arguments[3])
            else { throw fail("malformed tensor record") }
            do {
                return Node(.value(.tensor(try tensorLoader(dtype, key, offset, size, stride))))
            } catch let error as CheckpointError {
                throw error
            } catch {
                throw CheckpointError(path: path, key: "data/\(key)", "\(error)")
            }
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let first = arguments.first else { throw fail("malformed parameter record") }
            return first
        case "collections.OrderedDict", "builtins.dict":
            let dict = Node(.dict)
            if let pairs = arguments.first?.items {
                for pair in pairs where pair.items.count == 2 { dict.pairs.append((pair.items[0], pair.items[1])) }
            }
            return dict
        default:
            return Node(.object(name), items: arguments)
        }
    }

    private func instantiate(_ cls: Node, _ arguments: [Node]) throws(CheckpointError) -> Node {
        guard case .global(let name) = cls.kind else { return Node(.object("<new>"), items: arguments) }
        if name == "collections.OrderedDict" { return Node(.dict) }
        return Node(.object(name), items: arguments)
    }

    private mutating func convert(_ node: Node, depth: Int) throws(CheckpointError) -> PickleValue {
        guard depth < Self.maxDepth else { throw fail("pickle nesting deeper than \(Self.maxDepth) (a cycle?)") }
        values += 1
        guard values <= Self.maxValues else {
            throw fail("the pickle holds more than \(Self.maxValues) values (shared sub-objects count each time)")
        }
        switch node.kind {
        case .value(let v): return v
        case .list: return .list(try node.items.map { (n) throws(CheckpointError) in try convert(n, depth: depth + 1) })
        case .tuple: return .tuple(try node.items.map { (n) throws(CheckpointError) in try convert(n, depth: depth + 1) })
        case .dict:
            return .dict(try node.pairs.map { (pair) throws(CheckpointError) in
                (try convert(pair.0, depth: depth + 1), try convert(pair.1, depth: depth + 1))
            })
        case .global(let name): return .global(name)
        case .object(let type):
            return .object(
                type: type, arguments: try node.items.map { (n) throws(CheckpointError) in try convert(n, depth: depth + 1) },
                state: try node.state.map { (n) throws(CheckpointError) in try convert(n, depth: depth + 1) })
        case .storage(_, let key): return .string("<storage \(key)>")
        case .mark: throw fail("unbalanced MARK in pickle")
        }
    }
}
