"""qingliu 清流 — water-ecology protection and restoration for a city or basin (水生态保护与修复)."""

__version__ = "0.1.0"
