import SnipRegression
import Testing

@Suite struct TableTests {
    @Test func readsAHeaderAndSplitsTheTarget() throws {
        let table = try RegressionTable(csv: "m, v ,E\r\n1,2,2\n\n2,3,9\n3,1,1.5\n4,2,8\n")
        #expect(table.names == ["m", "v", "E"])
        let (data, inputs) = try table.regressionData(target: "E")
        #expect(inputs == ["m", "v"])
        #expect(data.count == 4)
        #expect(Array(data.points.column(1)) == [2, 3, 1, 2])
        #expect(data.y == [2, 9, 1.5, 8])
        // by number
        #expect(try table.regressionData(target: "0").inputs == ["v", "E"])
    }

    @Test func numbersColumnsWithoutAHeader() throws {
        let table = try RegressionTable(csv: "1,2\n3,4\n")
        #expect(table.names == ["0", "1"])
        #expect(table.columns == [[1, 3], [2, 4]])
    }

    @Test func reportsBadLines() {
        #expect(throws: RegressionTable.Failure.self) { try RegressionTable(csv: "") }
        do {
            _ = try RegressionTable(csv: "a,b\n1,2\n3\n")
            Issue.record("a short row was accepted")
        } catch {
            #expect(error.description == "line 3: 1 fields, expected 2")
        }
        do {
            _ = try RegressionTable(csv: "a,b\n1,2\n3,x\n")
            Issue.record("a word was accepted")
        } catch {
            #expect(error.description == "line 3: 'x' is not a number")
        }
        do {
            _ = try RegressionTable(csv: "a,b\n1,2\n").column(named: "c")
            Issue.record("an unknown column was accepted")
        } catch {
            #expect(error.description == "no column 'c' (columns: a, b)")
        }
    }
}
