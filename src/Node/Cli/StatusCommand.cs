using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using ActorVip.Node.Configuration;
using ActorVip.Node.Observability;

namespace ActorVip.Node.Cli;

/// <summary>`actorvip status`: asks a running node on this host (GET /status on its metrics address) and prints what it sees.</summary>
public static class StatusCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "HOCON file whose actorvip.metrics-address says where the node listens" };
        var address = new Option<string?>("--metrics-address")
        {
            Description = "HOST:PORT (or :PORT) of the node's metrics endpoint (default: actorvip.metrics-address, 127.0.0.1:2112)"
        };
        var json = new Option<bool>("--json") { Description = "Print the node's status document as JSON" };
        var command = new Command("status", "Show the cluster as a running node sees it: members, allocator, VIP owners and epochs, its " +
            "IPVS table and backend health");
        command.Options.Add(config);
        command.Options.Add(address);
        command.Options.Add(json);
        command.SetAction(result =>
        {
            var setting = result.GetValue(address) ?? ConfigSources.Compose(result.GetValue(config)?.FullName, Environment.GetEnvironmentVariables(),
                new HoconOverrides())
                .GetString("actorvip.metrics-address");
            var target = MetricsAddress.ToAsk(setting);
            string body;
            try
            {
                body = Fetch(target);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                Console.Error.WriteLine($"actorvip: no node answers on {target} (is actorvip run running? --metrics-address sets where)");
                return ExitCodes.Failure;
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"actorvip: the node on {target} {Program.OneLine(e.Message)}");
                return ExitCodes.Failure;
            }
            try
            {
                var document = StatusDocument.FromJson(body);
                Console.Write(result.GetValue(json) ? body : StatusTable.Render(document));
                return ExitCodes.Ok;
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"actorvip: what answers on {target} is not an actorvip node ({Program.OneLine(e.Message)})");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    /// <summary>A node's status of a thousand VIPs is some 200 KiB; whatever answers beyond 4 MiB is not a node.</summary>
    public const long MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>GET <paramref name="path"/> (/status, or /reload for `actorvip reload`) of the node on <paramref name="target"/>.</summary>
    internal static string Fetch(string target, string path = "/status")
    {
        using var http = new HttpClient { Timeout = Timeout, MaxResponseContentBufferSize = MaxBodyBytes };
        using var response = http.GetAsync($"http://{target}{path}", HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
        string body;
        try
        {
            using var stream = response.Content.ReadAsStream();
            body = Text.BoundedFile.Read(stream, MaxBodyBytes);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"answered with a body that is not a node's ({path}): {e.Message}");
        }
        if (!response.IsSuccessStatusCode)
        {
            var first = ConfigSources.FirstLine(body);
            throw new InvalidDataException($"answered {(int)response.StatusCode}: {(first.Length > 200 ? first[..200] + "..." : first)}");
        }
        return body;
    }
}
