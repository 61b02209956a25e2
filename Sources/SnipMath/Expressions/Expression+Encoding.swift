extension Expression {
    /// The equation tokens of the reference's `equation_encoder.encode(tree)`: integers stay
    /// single tokens (`str(int(text))`), float literals become three float tokens
    /// (`+ N2930 E-4`), every other token is kept.
    public func encodedTokens(tokenizer: FloatTokenizer = FloatTokenizer())
        throws(FloatTokenizerError) -> [String]
    {
        var out: [String] = []
        for token in prefixTokens {
            guard let value = PythonFloat.parse(token) else {
                out.append(token)
                continue
            }
            if PythonFloat.isIntegerLiteral(token), let int = PythonInt(token) {
                out.append(int.negative && !int.isZero ? "-" + int.digits : int.digits)
            } else {
                out += try tokenizer.encode(value)
            }
        }
        return out
    }

    /// Decodes equation tokens as the reference's `_decode`: a `+`/`-` token starts a float
    /// (its three tokens become one literal, written as Python's `str(float)`); other tokens
    /// are operators or leaves. Every token must be used.
    public init(encodedTokens tokens: [String], tokenizer: FloatTokenizer = FloatTokenizer())
        throws(ExpressionParseError)
    {
        var prefix: [String] = []
        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            if t == "+" || t == "-" {
                let end = Swift.min(i + tokenizer.tokensPerNumber, tokens.count)
                guard let values = tokenizer.decode(Array(tokens[i..<end])), let v = values.first
                else { throw .unknownToken(t, position: i) }
                prefix.append(PythonFloat.repr(v))
                i = end
            } else {
                prefix.append(t)
                i += 1
            }
        }
        try self.init(prefixTokens: prefix)
    }
}
