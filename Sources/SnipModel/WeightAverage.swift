import SnipNN
import SnipTensor

/// An exponential moving average of a model's weights (Polyak averaging): after every update,
/// `average ← decay · average + (1 − decay) · weights`.
///
/// The look-alike top-1 rate of single checkpoints swings by up to 0.2 within a few hundred
/// steps (docs/MODELS.md); the average over the last ~1 / (1 − decay) updates moves slowly and
/// is what a run with `--ema` validates and exports. It starts from the weights it is created
/// with (no bias correction needed).
final class WeightAverage {
    /// Weight of the old average in each update.
    let decay: Float
    /// The parameters averaged, in the order of ``values``.
    private let parameters: [Parameter]
    /// The averaged value of each parameter.
    private(set) var values: [Tensor]

    /// Averages `parameters`, starting at their current values, or at `values` (saved earlier,
    /// in the parameters' order and shapes) when given.
    init(parameters: [Parameter], decay: Double, values: [Tensor]? = nil) {
        precondition(decay > 0 && decay < 1, "decay must lie in (0, 1)")
        precondition(values.map { $0.count == parameters.count } ?? true, "\(values?.count ?? 0) averages for \(parameters.count) parameters")
        self.decay = Float(decay)
        self.parameters = parameters
        self.values = (values ?? parameters.map(\.value)).map { $0.detached() + 0 }
    }

    /// Folds the parameters' current values into the average.
    func update() {
        let keep = decay
        let take = 1 - decay
        for index in values.indices {
            parameters[index].value.withUnsafeBufferPointer { current in
                values[index].withUnsafeMutableBufferPointer { average in
                    precondition(current.count == average.count, "parameter \(index) changed size")
                    for i in 0..<average.count { average[i] = keep * average[i] + take * current[i] }
                }
            }
        }
    }

    /// Runs `body` with the parameters holding the averaged values, then puts their own values
    /// back (also when `body` throws).
    func withAveraged<T>(_ body: () throws -> T) rethrows -> T {
        let own = parameters.map(\.value)
        for (parameter, average) in zip(parameters, values) { parameter.value = average + 0 }
        defer { for (parameter, value) in zip(parameters, own) { parameter.value = value } }
        return try body()
    }
}
