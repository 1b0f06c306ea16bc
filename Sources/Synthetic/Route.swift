#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Geometry

/// A drivable route in the x–z plane (y = 0, the camera height): straight pieces and quarter
/// turns, starting at the origin heading +z. Arc length `s` maps to a position and a heading
/// (ψ = 0 along +z, ψ = π/2 along +x; a right turn increases ψ).
///
/// The world builders put city blocks (or furniture) in the rectangles `blocks` that the route
/// drives around, leaving a street of the builder's half-width on both sides of the route.
public struct Route: Sendable, Equatable {
    /// One piece of the route.
    public enum Piece: Sendable, Equatable {
        /// Straight ahead for the given length (metres).
        case straight(Double)
        /// A quarter turn of the given radius, to the right (ψ grows) or to the left.
        case turn(radius: Double, right: Bool)

        var length: Double {
            switch self {
            case let .straight(l): l
            case let .turn(r, _): Double.pi * r / 2
            }
        }
    }

    /// An axis-aligned rectangle of the ground (x, z), metres.
    public struct Rect: Sendable, Equatable {
        public var xMin, xMax, zMin, zMax: Double
    }

    public let pieces: [Piece]
    /// The rectangles bounded by the route's centre line (city blocks before the street margin).
    public let blocks: [Rect]
    /// Start of each piece: arc length, position and heading.
    private let starts: [(s: Double, x: Double, z: Double, heading: Double)]
    /// Total length, metres.
    public let length: Double

    public init(pieces: [Piece], blocks: [Rect]) {
        self.pieces = pieces; self.blocks = blocks
        var s = 0.0, x = 0.0, z = 0.0, psi = 0.0
        var starts: [(Double, Double, Double, Double)] = []
        for p in pieces {
            starts.append((s, x, z, psi))
            let end = Route.advance(p, x: x, z: z, heading: psi, by: p.length)
            x = end.x; z = end.z; psi = end.heading; s += p.length
        }
        self.starts = starts; length = s
    }

    public static func == (a: Route, b: Route) -> Bool { a.pieces == b.pieces && a.blocks == b.blocks }

    /// Position and heading at arc length `s`, clamped to [0, length].
    public func sample(_ s: Double) -> (position: Vec3, heading: Double) {
        let s = min(max(s, 0), length)
        var k = starts.count - 1
        while k > 0 && starts[k].s > s { k -= 1 }
        let st = starts[k]
        let e = Route.advance(pieces[k], x: st.x, z: st.z, heading: st.heading, by: s - st.s)
        return (Vec3(e.x, 0, e.z), e.heading)
    }

    /// Moves `d` metres along a piece from a start state.
    private static func advance(_ p: Piece, x: Double, z: Double, heading psi: Double, by d: Double)
        -> (x: Double, z: Double, heading: Double) {
        switch p {
        case .straight:
            return (x + d * sin(psi), z + d * cos(psi), psi)
        case let .turn(r, right):
            // Centre of the turn: to the right (+x when heading +z) or to the left of the car.
            let side = right ? 1.0 : -1.0
            let cx = x + side * r * cos(psi), cz = z - side * r * sin(psi)
            let a = side * d / r
            let npsi = psi + a
            return (cx - side * r * cos(npsi), cz + side * r * sin(npsi), npsi)
        }
    }

    /// A closed rounded rectangle driven clockwise seen from above (right turns) around one
    /// block: legs of length `straight` along z at x = 0 and x = `width`, corner radius `radius`.
    /// Starts half-way up the left leg (at the origin) and returns there.
    public static func loop(straight: Double, width: Double, radius: Double) -> Route {
        let r = min(radius, width / 2), h = straight / 2, a = width - 2 * r
        let pieces: [Piece] = [.straight(h), .turn(radius: r, right: true), .straight(a), .turn(radius: r, right: true),
                               .straight(straight), .turn(radius: r, right: true), .straight(a),
                               .turn(radius: r, right: true), .straight(h)]
        return Route(pieces: pieces, blocks: [Rect(xMin: 0, xMax: width, zMin: -h - r, zMax: h + r)])
    }

    /// A figure eight through a street grid: clockwise around a north block, across the middle
    /// street, anticlockwise around a south block and back across the middle street to the
    /// start (origin, half-way up the left leg of the north block). Each block is
    /// `width` × `blockLength` between leg ends; the middle street is driven twice, both times
    /// heading −x, so the revisit there is in the same direction.
    public static func figureEight(blockLength: Double, width: Double, radius: Double) -> Route {
        let r = min(radius, width / 2, blockLength / 2), a = width - 2 * r, l = blockLength
        let h = l / 2 // the start sits half-way up the north block's left leg
        let pieces: [Piece] = [
            .straight(h), .turn(radius: r, right: true), .straight(a), .turn(radius: r, right: true),
            .straight(l - r), .turn(radius: r, right: true), .straight(a), .turn(radius: r, right: false),
            .straight(l - r), .turn(radius: r, right: false), .straight(a), .turn(radius: r, right: false),
            .straight(l - r), .turn(radius: r, right: false), .straight(a), .turn(radius: r, right: true),
            .straight(h - r),
        ]
        let middle = h - l   // z of the middle street
        return Route(pieces: pieces, blocks: [
            Rect(xMin: 0, xMax: width, zMin: middle, zMax: h + r),
            Rect(xMin: 0, xMax: width, zMin: middle - l - r, zMax: middle),
        ])
    }
}
