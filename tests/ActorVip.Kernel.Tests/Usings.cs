global using ActorVip.Lab.Demo;
global using Xunit;
