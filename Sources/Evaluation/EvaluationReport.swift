import Foundation

/// The printable, serialisable summary of a metric run: what `parallax eval` prints as a
/// table, or as JSON with `--json`.
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// "APE", "RPE" or "KITTI".
    public var metric: String
    public var title: String
    public var reference: String
    public var estimate: String
    /// Pose relation (`trans_part`, …) for APE/RPE.
    public var poseRelation: String?
    public var unit: String?
    public var alignment: String?
    /// Number of errors the statistics summarise (poses for APE, pairs for RPE).
    public var count: Int
    public var stats: ErrorStatistics
    /// Scale of the applied alignment (1 for rigid ones).
    public var scale: Double?
    /// The applied similarity as a row-major 4×4 matrix (`[sR t; 0 1]`), like evo's
    /// `alignment_transformation_sim3`.
    public var alignmentTransformationSim3: [Double]?

    enum CodingKeys: String, CodingKey {
        case metric, title, reference, estimate, unit, alignment, count, stats, scale
        case poseRelation = "pose_relation"
        case alignmentTransformationSim3 = "alignment_transformation_sim3"
    }

    public init(metric: String, title: String, reference: String, estimate: String, poseRelation: String? = nil,
                unit: String? = nil, alignment: String? = nil, count: Int, stats: ErrorStatistics,
                scale: Double? = nil, alignmentTransformationSim3: [Double]? = nil) {
        self.metric = metric; self.title = title; self.reference = reference; self.estimate = estimate
        self.poseRelation = poseRelation; self.unit = unit; self.alignment = alignment; self.count = count
        self.stats = stats; self.scale = scale; self.alignmentTransformationSim3 = alignmentTransformationSim3
    }

    /// The report of an APE or RPE result.
    public init(_ result: PoseErrorResult, reference: String, estimate: String) {
        var matrix: [Double]?
        if let t = result.alignmentTransform {
            let m = t.rotation.matrix, p = t.translation, s = t.scale
            matrix = [s * m[0, 0], s * m[0, 1], s * m[0, 2], p.x,
                      s * m[1, 0], s * m[1, 1], s * m[1, 2], p.y,
                      s * m[2, 0], s * m[2, 1], s * m[2, 2], p.z,
                      0, 0, 0, 1]
        }
        self.init(metric: result.metric, title: result.title, reference: reference, estimate: estimate,
                  poseRelation: result.poseRelation.rawValue, unit: result.poseRelation.unit,
                  alignment: result.alignment.rawValue, count: result.errors.count, stats: result.statistics,
                  scale: result.alignmentTransform?.scale, alignmentTransformationSim3: matrix)
    }

    /// evo's `Result.pretty_str()`: the title, a blank line, then `name\tvalue` with the names
    /// right-aligned to 10 characters and 6 decimals, in alphabetical order.
    public var table: String {
        var out = title + "\n\n"
        for (name, value) in stats.named {
            out += String(repeating: " ", count: max(0, 10 - name.count)) + name + "\t" + String(format: "%.6f", value) + "\n"
        }
        return out
    }

    /// The report as JSON (sorted keys, full double precision).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes a report saved with `json`.
    public static func decode(_ data: Data) throws -> EvaluationReport {
        try JSONDecoder().decode(EvaluationReport.self, from: data)
    }
}
