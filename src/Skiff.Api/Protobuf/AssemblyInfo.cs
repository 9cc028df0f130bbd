using System.Runtime.CompilerServices;

// The tests check the facts table against the schema and the Go duration format directly.
[assembly: InternalsVisibleTo("Skiff.Api.Tests")]
