extension Expression {
    /// The skeleton and the float constants it removed, as the reference's
    /// `function_to_skeleton`: each float literal becomes `CONSTANT` and a unary operator
    /// directly above it is dropped. Integers, `e`, `pi`, `euler_gamma` stay.
    ///
    /// **Quirk kept:** the reference edits the token list while enumerating it, so after dropping
    /// a unary operator it skips the token that follows the constant (a float there stays a
    /// float), and it drops at most one unary operator per constant. Existing `CONSTANT`
    /// placeholders stay and contribute no value to `constants`.
    public var skeletonAndConstants: (skeleton: Expression, constants: [Double]) {
        var tokens = prefixTokens
        var constants: [Double] = []
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            if let value = PythonFloat.parse(token), !PythonFloat.isIntegerLiteral(token) {
                tokens[i] = "CONSTANT"
                if i > 0, UnaryOperator(rawValue: tokens[i - 1]) != nil {
                    tokens.remove(at: i - 1)
                }
                constants.append(value)
            }
            i += 1
        }
        // Dropping a unary operator keeps a prefix list well formed.
        guard let skeleton = try? Expression(prefixTokens: tokens) else {
            preconditionFailure("skeleton of \(prefix) is malformed")
        }
        return (skeleton, constants)
    }

    /// The skeleton (float constants replaced by `CONSTANT`); see ``skeletonAndConstants``.
    public var skeleton: Expression { skeletonAndConstants.skeleton }
}

extension Expression {
    /// The equation tokens of the skeleton, `skeleton.encodedTokens(tokenizer:)`, or `nil` when
    /// a number cannot be tokenized.
    ///
    /// Fast path for generated trees, where no float literal sits directly under a unary
    /// operator and no integer literal occurs: the skeleton's tokens are then the prefix tokens
    /// with every float literal replaced by `CONSTANT`. Other trees take the general route.
    func skeletonTokens(tokenizer: FloatTokenizer) -> [String]? {
        var out: [String] = []
        var simple = true
        func walk(_ e: Expression, underUnary: Bool) {
            guard simple else { return }
            switch e {
            case .leaf(.number(let text)):
                if underUnary || PythonFloat.isIntegerLiteral(text) {
                    simple = false
                } else {
                    out.append("CONSTANT")
                }
            case .leaf(let leaf): out.append(leaf.token)
            case .unary(let op, let a):
                out.append(op.rawValue)
                walk(a, underUnary: true)
            case .binary(let op, let a, let b):
                out.append(op.rawValue)
                walk(a, underUnary: false)
                walk(b, underUnary: false)
            }
        }
        walk(self, underUnary: false)
        if simple { return out }
        return try? skeleton.encodedTokens(tokenizer: tokenizer)
    }
}
