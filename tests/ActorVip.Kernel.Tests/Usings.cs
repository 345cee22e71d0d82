global using Xunit;
global using ActorVip.Lab.Demo;
