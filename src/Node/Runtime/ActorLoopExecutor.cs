using Akka.Configuration;
using Akka.Dispatch;

namespace ActorVip.Node.Runtime;

/// <summary>
/// An Akka executor that runs a dispatcher's actors on the <see cref="ActorLoopScheduler"/>'s thread, one thread per
/// actor system. A remote message then goes from the transport reader through the cluster or ownership actor to
/// the transport writer on that one thread instead of waking a pool worker at each hop; those wake-ups were
/// most of an idle node's CPU. Actors that may block (IPVS tables, log output) use
/// akka.actor.default-blocking-io-dispatcher, the .NET thread pool.
/// Selected with executor = "ActorVip.Node.Runtime.ActorLoopExecutor, actorvip".
/// </summary>
public sealed class ActorLoopExecutor(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) =>
        Prerequisites.Scheduler is ActorLoopScheduler loop
            ? new OnLoop(id, loop)
            : throw new ConfigurationException(
                $"dispatcher {id} runs on the actor loop, which needs akka.scheduler.implementation = \"{typeof(ActorLoopScheduler).FullName}, " +
                    $"{typeof(ActorLoopScheduler).Assembly.GetName().Name}\"");

    private sealed class OnLoop(string id, ActorLoopScheduler loop) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => loop.Execute(run);

        // The loop belongs to the scheduler, which the actor system disposes after its dispatchers.
        public override void Shutdown()
        {
        }
    }
}
