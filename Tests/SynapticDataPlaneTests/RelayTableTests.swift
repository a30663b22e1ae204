// The Data Relay's forwarding table: lookups by SPI and source (both must match, per direction), a
// client's routes replaced and removed, and an entry another client holds staying with it.
import HIPWire
import SynapticDataPlane
import Testing

@Suite("Relay table")
struct RelayTableTests {
    /// Addresses as "host:port" strings (the table is generic over the address type).
    typealias Table = RelayTable<String>
    static let alice = HIT("2001:2a::a")!
    static let bob = HIT("2001:2a::b")!

    @Test("each route forwards both directions, by SPI and source together")
    func lookups() {
        var table = Table()
        #expect(table.replace(client: Self.alice, routes: [
            .init(client: "a:1", peer: "p:1", toClientSPI: 0x11, toPeerSPI: 0x22),
            .init(client: "a:1", peer: "q:1", toClientSPI: 0x33, toPeerSPI: 0x44),
        ]) == 0)
        #expect(table.routeCount == 2 && table.clientCount == 1)
        #expect(table.destination(spi: 0x11, from: "p:1") == "a:1")
        #expect(table.destination(spi: 0x22, from: "a:1") == "p:1")
        #expect(table.destination(spi: 0x33, from: "q:1") == "a:1")
        #expect(table.destination(spi: 0x44, from: "a:1") == "q:1")
        // The right SPI from another source (another host, another port, the other end), or another SPI.
        #expect(table.destination(spi: 0x11, from: "x:1") == nil)
        #expect(table.destination(spi: 0x11, from: "p:2") == nil)
        #expect(table.destination(spi: 0x11, from: "a:1") == nil)
        #expect(table.destination(spi: 0x22, from: "p:1") == nil)
        #expect(table.destination(spi: 0x55, from: "p:1") == nil)
    }

    @Test("replacing a client's routes drops its earlier ones; an empty list removes them")
    func replace() {
        var table = Table()
        table.replace(client: Self.alice, routes: [.init(client: "a:1", peer: "p:1", toClientSPI: 0x11, toPeerSPI: 0x22)])
        // Alice moved (a new address as the relay sees it) and rekeyed with her peer.
        table.replace(client: Self.alice, routes: [.init(client: "a:2", peer: "p:1", toClientSPI: 0x12, toPeerSPI: 0x23)])
        #expect(table.routeCount == 1 && table.clientCount == 1)
        #expect(table.destination(spi: 0x11, from: "p:1") == nil && table.destination(spi: 0x22, from: "a:1") == nil)
        #expect(table.destination(spi: 0x12, from: "p:1") == "a:2" && table.destination(spi: 0x23, from: "a:2") == "p:1")
        table.replace(client: Self.alice, routes: [])
        #expect(table.routeCount == 0 && table.clientCount == 0)
        #expect(table.destination(spi: 0x12, from: "p:1") == nil && table.destination(spi: 0x23, from: "a:2") == nil)
    }

    @Test("an entry another client holds stays with it, also when the later client's routes go")
    func firstComeKeepsItsEntries() {
        var table = Table()
        table.replace(client: Self.alice, routes: [.init(client: "a:1", peer: "p:1", toClientSPI: 0x11, toPeerSPI: 0x22)])
        // Bob asks for ESP from Alice's peer with Alice's SPI: refused; his other direction is installed.
        #expect(table.replace(client: Self.bob, routes: [
            .init(client: "b:1", peer: "p:1", toClientSPI: 0x11, toPeerSPI: 0x66),
        ]) == 1)
        #expect(table.routeCount == 2 && table.clientCount == 2)
        #expect(table.destination(spi: 0x11, from: "p:1") == "a:1")
        #expect(table.destination(spi: 0x66, from: "b:1") == "p:1")
        table.replace(client: Self.bob, routes: [])
        #expect(table.destination(spi: 0x11, from: "p:1") == "a:1")
        #expect(table.destination(spi: 0x66, from: "b:1") == nil)
        #expect(table.routeCount == 1 && table.clientCount == 1)
    }
}
