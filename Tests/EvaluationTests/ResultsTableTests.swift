import Evaluation
import Foundation
import TestSupport
import Testing

@Suite struct ResultsTableTests {
    func report(_ estimate: String, _ errors: [Double]) -> EvaluationReport {
        EvaluationReport(metric: "APE", title: "APE", reference: "/data/gt.txt", estimate: "/data/\(estimate)",
                         poseRelation: "trans_part", unit: "m", alignment: "se3", count: errors.count,
                         stats: ErrorStatistics(errors))
    }

    @Test func savedReportsMakeASortedTableAndCSV() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let a = try write(report("b.txt", [3, 4]).json, "a.json", in: dir)
        let b = try write(report("a,x.txt", [1, 2]).json, "b.json", in: dir)
        let table = try ResultsTable.load([a, b]).sorted(by: "rmse")
        #expect(table.rows.map(\.name) == ["a,x.txt", "b.txt"])
        let csv = table.csv.split(separator: "\n")
        #expect(csv[0] == "name,metric,count,rmse,mean,median,std,min,max,sse")
        #expect(csv[1].hasPrefix("\"a,x.txt\",\"APE trans_part (m), se3\",2,\((2.5).squareRoot()),1.5,1.5,0.5,1.0,2.0,5.0"))
        let lines = table.text.split(separator: "\n")
        #expect(lines.count == 3 && lines[1].hasPrefix("a,x.txt") && lines[2].contains("3.535534"))
        #expect(try ResultsTable.load([a], useFilenames: true).rows[0].name == a)
    }

    @Test func nonResultFilesAndUnknownStatisticsAreErrors() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let bad = try write("1 0 0 0\n", "bad.json", in: dir)
        #expect(throws: EvaluationError.self) { try ResultsTable.load([bad]) }
        #expect(throws: EvaluationError.trajectory(.fileNotFound(dir.url.appendingPathComponent("none.json").path))) {
            try ResultsTable.load([dir.url.appendingPathComponent("none.json").path])
        }
        let ok = try write(report("e.txt", [1]).json, "ok.json", in: dir)
        #expect(throws: EvaluationError.self) { try ResultsTable.load([ok]).sorted(by: "variance") }
    }
}
