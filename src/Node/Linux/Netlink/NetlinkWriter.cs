using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace ActorVip.Node.Linux.Netlink;

/// <summary>
/// Builds one or more netlink messages into a growable buffer, so that no caller counts offsets.
/// Usage: BeginMessage, then the family header and attributes, then EndMessage; repeat for a batch.
/// </summary>
public sealed class NetlinkWriter
{
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;
    private readonly Stack<int> _nests = new();
    private readonly List<(uint Seq, ushort Flags)> _messages = new();

    public NetlinkWriter(int capacity = 4096) => _buffer = new byte[capacity];

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);
    public int Length => _length;

    /// <summary>Sequence number and flags of each message written, so the socket knows which replies to wait for.</summary>
    public IReadOnlyList<(uint Seq, ushort Flags)> Messages => _messages;

    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
        _nests.Clear();
        _messages.Clear();
    }

    public NetlinkWriter BeginMessage(ushort type, ushort flags, uint seq)
    {
        if (_messageStart >= 0) throw new InvalidOperationException("EndMessage was not called for the previous message.");
        _messageStart = _length;
        var header = Reserve(Nl.HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], seq);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // port id: the kernel fills it in
        _messages.Add((seq, flags));
        return this;
    }

    public NetlinkWriter EndMessage()
    {
        if (_messageStart < 0) throw new InvalidOperationException("BeginMessage was not called.");
        if (_nests.Count != 0) throw new InvalidOperationException("A nested attribute was not closed.");
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_messageStart), (uint)(_length - _messageStart));
        _messageStart = -1;
        return this;
    }

    /// <summary>Raw bytes of a fixed family header (ifaddrmsg, genlmsghdr, nfgenmsg ...), padded to 4.</summary>
    public Span<byte> Fixed(int size)
    {
        var span = Reserve(Nl.Align(size));
        return span[..size];
    }

    public NetlinkWriter Attr(ushort type, ReadOnlySpan<byte> value)
    {
        var total = Nl.AttrHeaderSize + value.Length;
        var span = Reserve(Nl.Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[Nl.AttrHeaderSize..]);
        return this;
    }

    public NetlinkWriter AttrU8(ushort type, byte value) => Attr(type, [value]);

    public NetlinkWriter AttrU16(ushort type, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return Attr(type, b);
    }

    public NetlinkWriter AttrU16BigEndian(ushort type, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        return Attr(type, b);
    }

    public NetlinkWriter AttrU32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Attr(type, b);
    }

    public NetlinkWriter AttrU32BigEndian(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return Attr(type, b);
    }

    public NetlinkWriter AttrU64BigEndian(ushort type, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        return Attr(type, b);
    }

    /// <summary>A NUL-terminated string attribute.</summary>
    public NetlinkWriter AttrString(ushort type, string value)
    {
        var count = Encoding.ASCII.GetByteCount(value);
        Span<byte> b = count < 256 ? stackalloc byte[count + 1] : new byte[count + 1];
        Encoding.ASCII.GetBytes(value, b);
        b[count] = 0;
        return Attr(type, b);
    }

    public NetlinkWriter AttrAddress(ushort type, IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out var written);
        return Attr(type, b[..written]);
    }

    public NetlinkWriter AttrFlag(ushort type) => Attr(type, ReadOnlySpan<byte>.Empty);

    public NetlinkWriter BeginNested(ushort type)
    {
        _nests.Push(_length);
        var span = Reserve(Nl.AttrHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)(type | Nl.AttrNested));
        return this;
    }

    public NetlinkWriter EndNested()
    {
        var start = _nests.Pop();
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)(_length - start));
        return this;
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var span = _buffer.AsSpan(_length, count);
        span.Clear();
        _length += count;
        return span;
    }
}
