using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace ActorVip.Node.Linux.Netlink;

/// <summary>One received netlink message: header fields and the payload after the header.</summary>
public readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint seq, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Seq = seq;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }
    public ushort Flags { get; }
    public uint Seq { get; }
    public uint PortId { get; }
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The attributes that follow a fixed family header of <paramref name="fixedSize"/> bytes.</summary>
    public NetlinkAttributes Attributes(int fixedSize) => new(Payload[Math.Min(Payload.Length, Nl.Align(fixedSize))..]);
}

/// <summary>Walks the messages in one receive buffer.</summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkMessageReader(ReadOnlySpan<byte> buffer) => _rest = buffer;

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (_rest.Length < Nl.HeaderSize) return false;
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_rest);
        if (length < Nl.HeaderSize || length > _rest.Length)
            throw new InvalidDataException($"Malformed netlink message: length {length} with {_rest.Length} bytes left.");
        message = new NetlinkMessage(
            BinaryPrimitives.ReadUInt16LittleEndian(_rest[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(_rest[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_rest[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_rest[12..]),
            _rest[Nl.HeaderSize..length]);
        _rest = _rest[Math.Min(_rest.Length, Nl.Align(length))..];
        return true;
    }
}

/// <summary>A run of netlink attributes; look one up by type or walk them all.</summary>
public readonly ref struct NetlinkAttributes
{
    private readonly ReadOnlySpan<byte> _data;

    public NetlinkAttributes(ReadOnlySpan<byte> data) => _data = data;

    public Enumerator GetEnumerator() => new(_data);

    public bool TryGet(ushort type, out ReadOnlySpan<byte> value)
    {
        foreach (var attr in this)
        {
            if (attr.Type == type)
            {
                value = attr.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    public bool Has(ushort type) => TryGet(type, out _);

    public NetlinkAttributes Nested(ushort type) => TryGet(type, out var v) ? new NetlinkAttributes(v) : default;

    public byte? U8(ushort type) => TryGet(type, out var v) && v.Length >= 1 ? v[0] : null;
    public ushort? U16(ushort type) => TryGet(type, out var v) && v.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(v) : null;
    public ushort? U16BigEndian(ushort type) => TryGet(type, out var v) && v.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(v) : null;
    public uint? U32(ushort type) => TryGet(type, out var v) && v.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(v) : null;
    public uint? U32BigEndian(ushort type) => TryGet(type, out var v) && v.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(v) : null;
    public ulong? U64(ushort type) => TryGet(type, out var v) && v.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(v) : null;
    public ulong? U64BigEndian(ushort type) => TryGet(type, out var v) && v.Length >= 8 ? BinaryPrimitives.ReadUInt64BigEndian(v) : null;

    public string? String(ushort type)
    {
        if (!TryGet(type, out var v)) return null;
        var end = v.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end >= 0 ? v[..end] : v);
    }

    public IPAddress? Address(ushort type) =>
        TryGet(type, out var v) && (v.Length == 4 || v.Length == 16) ? new IPAddress(v) : null;

    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;

        public Enumerator(ReadOnlySpan<byte> data)
        {
            _rest = data;
            Current = default;
        }

        public NetlinkAttribute Current { get; private set; }

        public bool MoveNext()
        {
            if (_rest.Length < Nl.AttrHeaderSize) return false;
            var length = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]);
            if (length < Nl.AttrHeaderSize || length > _rest.Length) return false;
            Current = new NetlinkAttribute((ushort)(type & Nl.AttrTypeMask), _rest[Nl.AttrHeaderSize..length]);
            _rest = _rest[Math.Min(_rest.Length, Nl.Align(length))..];
            return true;
        }
    }
}

public readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    public ushort Type { get; }
    public ReadOnlySpan<byte> Value { get; }
    public NetlinkAttributes Nested => new(Value);
}
