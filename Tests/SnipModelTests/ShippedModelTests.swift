import Foundation
import Testing
import SnipModel

@Suite struct ShippedModelTests {
    @Test func theModelForADimension() {
        #expect(ShippedModel.forDimension(1) == .oneDimensional)
        #expect(ShippedModel.forDimension(2) == .tenDimensional)
        #expect(ShippedModel.forDimension(10) == .tenDimensional)
    }

    @Test func aNameLoadsTheShippedModel() throws {
        let named = try SNIPModel.load(named: "1d")
        let shipped = try SNIPModel.shipped(.oneDimensional)
        #expect(named.config == shipped.config)
        #expect(named.contract == shipped.contract)
        #expect(named.parameterCount == shipped.parameterCount)
        #expect(try SNIPModel.load(named: "10d").config.maxInputDimension == 10)
    }

    @Test func aPathLoadsThatFile() throws {
        let path = try #require(ShippedModel.oneDimensional.path)
        let model = try SNIPModel.load(named: path)
        #expect(model.config == (try SNIPModel.shipped()).config)
    }

    @Test func aMissingFileIsAnErrorNamingIt() {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-model-\(UUID()).safetensors").path
        #expect { try SNIPModel.load(named: missing) } throws: { "\($0)".contains(missing) }
    }
}
