from bot.emulator.server import main

main()
