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
