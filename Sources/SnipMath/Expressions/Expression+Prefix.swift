extension Expression {
    /// Parses a comma-separated prefix string such as `add,mul,-2.5,x_0,sin,x_0`.
    public init(prefix: String) throws(ExpressionParseError) {
        try self.init(
            prefixTokens: prefix.split(separator: ",", omittingEmptySubsequences: false)
                .map(String.init))
    }

    /// The deepest tree the prefix parsers accept (a leaf alone has depth 1).
    ///
    /// Every walk over an ``Expression`` (evaluation, encoding, skeletons, infix, hashing and
    /// the release of the indirect enum itself) recurses once per level, so a tree from a file
    /// must not be deep enough to overflow a thread's stack: 100,000 nested `sin` would. The
    /// generator's trees are a few dozen levels deep; 1,000 leaves ample room and stays far
    /// below what a 512 KiB thread stack holds.
    public static let maxDepth = 1000

    /// Parses prefix tokens; every token must be used, and the tree may be at most
    /// ``maxDepth`` levels deep.
    public init(prefixTokens tokens: [String]) throws(ExpressionParseError) {
        guard !tokens.isEmpty else { throw .empty }
        var position = 0
        self = try Expression.parse(tokens, &position, depth: 1)
        if position != tokens.count { throw .trailingTokens(position: position) }
    }

    private static func parse(_ tokens: [String], _ position: inout Int, depth: Int)
        throws(ExpressionParseError) -> Expression
    {
        guard position < tokens.count else { throw .unexpectedEnd }
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth, position: position) }
        let token = tokens[position]
        let start = position
        position += 1
        if let op = BinaryOperator(rawValue: token) {
            let left = try parse(tokens, &position, depth: depth + 1)
            let right = try parse(tokens, &position, depth: depth + 1)
            return .binary(op, left, right)
        }
        if let op = UnaryOperator(rawValue: token) {
            return .unary(op, try parse(tokens, &position, depth: depth + 1))
        }
        guard let leaf = Leaf(token: token) else {
            throw .unknownToken(token, position: start)
        }
        return .leaf(leaf)
    }

    /// The prefix tokens (`["add", "x_0", "1"]`).
    public var prefixTokens: [String] {
        var out: [String] = []
        appendPrefix(to: &out)
        return out
    }

    /// The comma-separated prefix string, identical to the reference's `tree.prefix()`.
    public var prefix: String { prefixTokens.joined(separator: ",") }

    private func appendPrefix(to out: inout [String]) {
        switch self {
        case .leaf(let l): out.append(l.token)
        case .unary(let op, let a):
            out.append(op.rawValue)
            a.appendPrefix(to: &out)
        case .binary(let op, let a, let b):
            out.append(op.rawValue)
            a.appendPrefix(to: &out)
            b.appendPrefix(to: &out)
        }
    }
}

extension Leaf {
    /// The leaf a prefix token denotes, or `nil` when the token is not a leaf.
    public init?(token: String) {
        switch token {
        case "rand": self = .rand
        case "CONSTANT": self = .placeholder
        default:
            if let c = MathConstant(rawValue: token) {
                self = .constant(c)
            } else if token.hasPrefix("x_"), let i = Int(token.dropFirst(2)), i >= 0,
                String(i) == token.dropFirst(2)  // canonical digits only, so it prints back
            {
                self = .variable(i)
            } else if PythonFloat.parse(token) != nil {
                self = .number(token)
            } else {
                return nil
            }
        }
    }
}
