import Foundation
import Geometry

/// Which part of an error pose `E` is measured (evo's `-r/--pose_relation`).
public enum PoseRelation: String, Sendable, Codable, CaseIterable {
    /// ‖t(E)‖, metres (`trans_part`).
    case translationPart = "trans_part"
    /// ‖R(E) − I‖_F, no unit (`rot_part`).
    case rotationPart = "rot_part"
    /// Angle of R(E), degrees (`angle_deg`).
    case rotationAngleDeg = "angle_deg"
    /// Angle of R(E), radians (`angle_rad`).
    case rotationAngleRad = "angle_rad"
    /// ‖E − I₄‖_F, no unit (`full`).
    case full

    /// evo's long name, as in its result titles.
    public var title: String {
        switch self {
        case .translationPart: "translation part"
        case .rotationPart: "rotation part"
        case .rotationAngleDeg: "rotation angle in degrees"
        case .rotationAngleRad: "rotation angle in radians"
        case .full: "full transformation"
        }
    }

    /// The unit of the error values, as evo names it.
    public var unit: String {
        switch self {
        case .translationPart: "m"
        case .rotationAngleDeg: "deg"
        case .rotationAngleRad: "rad"
        case .rotationPart, .full: "unit-less"
        }
    }

    /// The error of one error pose `E`.
    public func error(of e: SE3) -> Double {
        switch self {
        case .translationPart: e.translation.norm
        case .rotationPart: (e.rotation.matrix - .identity).frobeniusNorm
        case .full: ((e.rotation.matrix - .identity).frobeniusNorm.squared + e.translation.squaredNorm).squareRoot()
        case .rotationAngleRad: PoseRelation.rotationAngle(e.rotation.matrix)
        case .rotationAngleDeg: PoseRelation.rotationAngle(e.rotation.matrix) * 180 / .pi
        }
    }

    /// The rotation angle of a (nearly orthonormal) matrix as evo obtains it through SciPy's
    /// `Rotation.from_matrix(m).as_rotvec()`: the matrix is projected onto SO(3) (polar factor),
    /// converted to a quaternion by the largest of (m00, m11, m22, trace), and the angle is
    /// `2·atan2(‖v‖, |w|)`. Files print rotations to a few digits, so the projection matters
    /// for small angles.
    public static func rotationAngle(_ m: Mat3) -> Double { quaternionAngle(m.orthonormalized ?? m) }

    /// SciPy's angle of an already orthonormal matrix (no projection).
    static func quaternionAngle(_ r: Mat3) -> Double {
        let tr = r.trace
        let decision = [r[0, 0], r[1, 1], r[2, 2], tr]
        var choice = 0
        for k in 1..<4 where decision[k] > decision[choice] { choice = k }
        var v = Vec3.zero
        let w: Double
        if choice == 3 {
            v = Vec3(r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1])
            w = 1 + tr
        } else {
            let i = choice, j = (i + 1) % 3, k = (j + 1) % 3
            v[i] = 1 - tr + 2 * r[i, i]
            v[j] = r[j, i] + r[i, j]
            v[k] = r[k, i] + r[i, k]
            w = r[k, j] - r[j, k]
        }
        return 2 * atan2(v.norm, abs(w))
    }
}

extension Double {
    var squared: Double { self * self }
}
