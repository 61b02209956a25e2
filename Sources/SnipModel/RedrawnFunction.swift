import Foundation
import SnipMath
import SnipTensor

/// Second views for contrastive pre-training: a function's *redraw* is the same formula on fresh
/// inputs, drawn as the generator draws a generated tree's inputs (a new distribution type,
/// centroid count and clusters).
///
/// One formula has many graphs: its inputs come in 1–10 clusters of different spreads and its
/// outputs are min-max scaled, so its point sets can look quite unlike each other, and the
/// formula embedding, which cannot see the inputs, has to sit where all of them land. A batch
/// that holds two views of one formula shows both encoders that directly: the formula matches
/// both point sets (the look-alike table marks the pair, whatever the targets), and the two
/// point sets are pulled to the same place.
public enum RedrawnFunction {
    /// Draws of fresh inputs tried before giving up (a draw fails when the formula is not
    /// finite, too large or constant on it).
    public static let attempts = 10

    /// `sample`'s formula on fresh inputs from `generator`'s input distribution, y scaled as its
    /// configuration says; nil when no draw of ``attempts`` gives usable outputs.
    public static func redraw(
        of sample: Sample, generator: ExpressionGenerator, using random: inout SeededGenerator
    ) -> Sample? {
        var source = SwiftRandomSource(random)
        defer { random = source.generator }
        for _ in 0..<attempts {
            guard let drawn = generator.samplePoints(for: sample.tree, attempts: 1, source: &source) else { continue }
            guard Sample.varies(drawn.y) else { continue }
            return Sample(tree: sample.tree, x: drawn.x, y: drawn.y, info: drawn.info, skeletonTokens: sample.skeletonTokens)
        }
        return nil
    }
}
