/// The `SnipMath` layer of snip: expression trees in the reference grammar, their vectorised
/// evaluation, the float and equation vocabularies, the float tokenizer, the function properties
/// (upward, yavg, oscil, ncr) and `data.prefix` files.
public enum SnipMath {}
