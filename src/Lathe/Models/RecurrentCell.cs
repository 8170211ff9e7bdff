namespace Lathe.Models;

/// <summary>The recurrent layer of a <see cref="RecurrentEncoder"/>: long short-term memory or gated recurrent unit.</summary>
public enum RecurrentCell { Lstm, Gru }
