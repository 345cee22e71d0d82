global using Xunit;
global using ActorVip.Node.Demo;
